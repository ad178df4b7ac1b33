package io.tinstream.streaming;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes records on and takes their stream out of event time: it announces itself idle once and
 * forwards no watermark, not even the end-of-time one a finished source sends. For inputs that
 * carry no event time of their own (the taxonomy, model snapshots) beside one that does.
 *
 * <p>Watermarks at the end of time would do only while the timed input is active: once every
 * behaviors and requests partition pauses past its idleness timeout, a two-input operator takes the
 * watermark of its only active input, this one, and jumps to the end of time, which closes every
 * pending attribution window at once and leaves no timer to fire for later impressions. An idle
 * input is left out of the combined watermark instead, so the timed input alone moves it.
 */
public final class WithoutEventTime<T> extends AbstractStreamOperator<T>
    implements OneInputStreamOperator<T, T> {
  private static final long serialVersionUID = 1L;

  @Override
  public void open() throws Exception {
    super.open();
    output.emitWatermarkStatus(WatermarkStatus.IDLE);
  }

  @Override
  public void processElement(StreamRecord<T> element) {
    output.collect(element);
  }

  @Override
  public void processWatermark(Watermark mark) {
    // Dropped: this stream has no event time.
  }

  @Override
  public void processWatermarkStatus(WatermarkStatus status) {
    // Stays idle whatever the sources announce.
  }
}
