package io.tinstream.streaming.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import io.tinstream.streaming.trajectory.BehaviorValidator;
import io.tinstream.streaming.trajectory.FutureSkew;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.junit.jupiter.api.Test;

/** Raw records that are not valid behaviors can never move the watermark. */
class EventTimeAssignerTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final long YEAR_2099 = 4_070_908_800_000L;
  private static final long KAFKA_TIME = NOW + 5;

  private final AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
  private final EventTimeAssigner<BehaviorEvent> assigner =
      new EventTimeAssigner<>(
          codec,
          e -> BehaviorValidator.check(e, FutureSkew.of(Duration.ofMinutes(10)), NOW),
          e -> e.getEventTime().toEpochMilli());

  @Test
  void validRecordsGetTheirEventTimeNotTheKafkaTimestamp() {
    assertThat(assigner.extractTimestamp(raw(behavior(NOW - 60_000)), KAFKA_TIME))
        .isEqualTo(NOW - 60_000);
  }

  @Test
  void undecodableInvalidAndFutureRecordsAreNeutral() {
    RawRecord garbage = new RawRecord("t", 0, 0, "nope".getBytes(StandardCharsets.UTF_8));
    assertThat(assigner.extractTimestamp(garbage, KAFKA_TIME)).isEqualTo(Long.MIN_VALUE);
    assertThat(assigner.extractTimestamp(new RawRecord("t", 0, 1, null), KAFKA_TIME))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(assigner.extractTimestamp(raw(behavior(YEAR_2099)), KAFKA_TIME))
        .isEqualTo(Long.MIN_VALUE);
    BehaviorEvent negativeUser = BehaviorEvent.newBuilder(behavior(NOW)).setUserId(-1).build();
    assertThat(assigner.extractTimestamp(raw(negativeUser), KAFKA_TIME)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aNeutralTimestampLeavesTheBoundedOutOfOrdernessWatermarkWhereItWas() {
    WatermarkGenerator<RawRecord> generator =
        WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(Duration.ZERO)
            .createWatermarkGenerator(null);
    long[] last = {Long.MIN_VALUE};
    WatermarkOutput output =
        new WatermarkOutput() {
          @Override
          public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark w) {
            last[0] = w.getTimestamp();
          }

          @Override
          public void markIdle() {}

          @Override
          public void markActive() {}
        };
    RawRecord real = raw(behavior(NOW - 60_000));
    generator.onEvent(real, assigner.extractTimestamp(real, KAFKA_TIME), output);
    RawRecord future = raw(behavior(YEAR_2099));
    generator.onEvent(future, assigner.extractTimestamp(future, KAFKA_TIME), output);
    generator.onPeriodicEmit(output);
    assertThat(last[0]).isEqualTo(NOW - 60_000 - 1);
  }

  private RawRecord raw(BehaviorEvent e) {
    return new RawRecord("behaviors", 0, 0, codec.encode(e), KAFKA_TIME);
  }

  private static BehaviorEvent behavior(long time) {
    return BehaviorEvent.newBuilder()
        .setEventId("e-" + time)
        .setUserId(1)
        .setEventTime(Instant.ofEpochMilli(time))
        .setDomain(io.tinstream.schemas.Domain.AD)
        .setActionType(io.tinstream.schemas.ActionType.CLICK)
        .setItem(
            ItemFields.newBuilder()
                .setItemId(5)
                .setCategoryL3(30)
                .setProductId(1L)
                .setSpuId(1L)
                .build())
        .build();
  }
}
