package io.tinstream.streaming.kafka;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.RecordDecodeException;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Event time of raw Kafka records, assigned in the source so that each partition keeps its own
 * watermark: a fast partition cannot close the attribution windows of a slow one. The value is
 * decoded here (once more in {@link DecodeAndValidate}, which keeps the dead-letter path in one
 * place). A record that does not decode or would be rejected gets {@link #NEUTRAL}: the bounded
 * out-of-orderness generator keeps the maximum timestamp, so such a record, a far-future one above
 * all, can never move the watermark; it still flows on to the dead letters.
 */
public final class EventTimeAssigner<T extends SpecificRecordBase>
    implements TimestampAssigner<RawRecord> {

  /** Below every real timestamp, hence invisible to the watermark. */
  public static final long NEUTRAL = Long.MIN_VALUE;

  private final AvroCodec<T> codec;
  private final SerializableFunction<T, Optional<String>> validator;
  private final SerializableFunction<T, Long> eventTime;

  public EventTimeAssigner(
      AvroCodec<T> codec,
      SerializableFunction<T, Optional<String>> validator,
      SerializableFunction<T, Long> eventTime) {
    this.codec = codec;
    this.validator = validator;
    this.eventTime = eventTime;
  }

  /**
   * For {@code WatermarkStrategy.withTimestampAssigner}: the codec is built on the task, not
   * serialized with the job.
   */
  public static <T extends SpecificRecordBase> TimestampAssignerSupplier<RawRecord> supplier(
      SerializableSupplier<AvroCodec<T>> codec,
      SerializableFunction<T, Optional<String>> validator,
      SerializableFunction<T, Long> eventTime) {
    return ctx -> new EventTimeAssigner<>(codec.get(), validator, eventTime);
  }

  @Override
  public long extractTimestamp(RawRecord raw, long recordTimestamp) {
    T record;
    try {
      record = codec.decode(raw.value);
    } catch (RecordDecodeException | RuntimeException e) {
      return NEUTRAL;
    }
    // The same rules as DecodeAndValidate: what it rejects must not have moved time first.
    if (validator.apply(record).isPresent()) {
      return NEUTRAL;
    }
    return eventTime.apply(record);
  }
}
