package io.tinstream.streaming.kafka;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.RecordDecodeException;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.streaming.JobMetrics;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Decodes raw Kafka values into one Avro type and validates them. Valid records continue as {@code
 * OUT}; everything else leaves through {@link #DEAD_LETTERS} with the reason and the original
 * bytes, and the job keeps running.
 */
public final class DecodeAndValidate<T extends SpecificRecordBase, OUT>
    extends ProcessFunction<RawRecord, OUT> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<ScoreResponse> REJECTION_ANSWERS =
      new OutputTag<>("rejection-answers", AvroTypeInfo.of(ScoreResponse.class)) {};

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", AvroTypeInfo.of(DeadLetter.class)) {};

  /** Turns a valid record into the output type, given when it was produced to Kafka. */
  @FunctionalInterface
  public interface Wrapper<T, OUT> extends java.io.Serializable {
    OUT wrap(T record, long producedAt);
  }

  private final SerializableSupplier<AvroCodec<T>> codecFactory;
  private final SerializableFunction<T, Optional<String>> validator;
  private final Wrapper<T, OUT> wrap;
  private final SerializableFunction<T, ScoreResponse> rejectionAnswer;
  private transient AvroCodec<T> codec;
  private transient Counter rejected;

  public DecodeAndValidate(
      SerializableSupplier<AvroCodec<T>> codecFactory,
      SerializableFunction<T, Optional<String>> validator,
      Wrapper<T, OUT> wrap) {
    this(codecFactory, validator, wrap, null);
  }

  /**
   * @param rejectionAnswer for records that decode but fail validation and still deserve an answer
   *     (an ad request gets an error response, not silence), emitted on {@link #REJECTION_ANSWERS}
   */
  public DecodeAndValidate(
      SerializableSupplier<AvroCodec<T>> codecFactory,
      SerializableFunction<T, Optional<String>> validator,
      Wrapper<T, OUT> wrap,
      SerializableFunction<T, ScoreResponse> rejectionAnswer) {
    this.codecFactory = codecFactory;
    this.validator = validator;
    this.wrap = wrap;
    this.rejectionAnswer = rejectionAnswer;
  }

  @Override
  public void open(OpenContext openContext) {
    codec = codecFactory.get();
    rejected = getRuntimeContext().getMetricGroup().counter(JobMetrics.DEAD_LETTERS);
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<OUT> out) {
    T record;
    try {
      record = codec.decode(raw.value);
    } catch (RecordDecodeException e) {
      reject(raw, e.getMessage(), ctx);
      return;
    }
    Optional<String> invalid = validator.apply(record);
    if (invalid.isPresent()) {
      String reason = "invalid " + codec.type().getSimpleName() + ": " + invalid.get();
      reject(raw, reason, ctx);
      if (rejectionAnswer != null) {
        ScoreResponse answer = rejectionAnswer.apply(record);
        answer.setError(reason);
        ctx.output(REJECTION_ANSWERS, answer);
      }
      return;
    }
    // The Kafka timestamp (when it was produced) starts the freshness measurement; the stream's
    // timestamp is the event time the source assigned, which is not when the record was produced.
    long produced = raw.kafkaTimestamp;
    out.collect(wrap.wrap(record, produced < 0 ? System.currentTimeMillis() : produced));
  }

  private void reject(RawRecord raw, String reason, Context ctx) {
    rejected.inc();
    ctx.output(
        DEAD_LETTERS,
        DeadLetter.newBuilder()
            .setSourceTopic(raw.topic)
            .setPartition(raw.partition)
            .setOffset(raw.offset)
            .setReason(reason)
            .setPayload(ByteBuffer.wrap(raw.value == null ? new byte[0] : raw.value))
            .setRejectedAt(System.currentTimeMillis())
            .build());
  }
}
