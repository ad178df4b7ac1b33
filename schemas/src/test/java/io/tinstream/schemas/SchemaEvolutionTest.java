package io.tinstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

  private final AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();

  @Test
  void recordWrittenWithVersion1IsReadByTheCurrentSchema() throws Exception {
    Schema v1 = AvroCodec.historicalSchema("BehaviorEvent-v1.avsc");
    GenericRecord item = new GenericData.Record(v1.getField("item").schema());
    item.put("itemId", 42L);
    item.put("categoryL3", 7);
    GenericRecord old = new GenericData.Record(v1);
    old.put("eventId", "e-1");
    old.put("userId", 9L);
    old.put("eventTime", 1_000L);
    old.put("scenario", 3);
    old.put("actionType", new GenericData.EnumSymbol(v1.getField("actionType").schema(), "CLICK"));
    old.put("actionDetail", 1.5);
    old.put("item", item);

    byte[] bytes = encodeWith(v1, old);
    BehaviorEvent current = codec.decode(bytes);

    assertThat(current.getEventId()).isEqualTo("e-1");
    assertThat(current.getUserId()).isEqualTo(9L);
    assertThat(current.getActionType()).isEqualTo(ActionType.CLICK);
    assertThat(current.getItem().getItemId()).isEqualTo(42L);
    assertThat(current.getItem().getCategoryL3()).isEqualTo(7);
    // Fields added after version 1 take their defaults.
    assertThat(current.getDomain()).isEqualTo(Domain.UNKNOWN);
    assertThat(current.getRequestId()).isNull();
    assertThat(current.getItem().getAdvertiserId()).isNull();
  }

  @Test
  void trainingExampleWrittenWithVersion1HasNoRecentBehaviors() throws Exception {
    Schema v1 = AvroCodec.historicalSchema("TrainingExample-v1.avsc");
    BehaviorSequence history =
        BehaviorSequence.newBuilder()
            .setItemIds(java.util.List.of(5L))
            .setCategoryL1(java.util.List.of(1))
            .setCategoryL2(java.util.List.of(2))
            .setCategoryL3(java.util.List.of(3))
            .setActionTypes(java.util.List.of(1))
            .setScenarios(java.util.List.of(0))
            .setEventTimes(java.util.List.of(10L))
            .build();
    GenericRecord old = new GenericData.Record(v1);
    old.put("exampleId", "x-1");
    old.put("userId", 4L);
    old.put("impressionTime", 20L);
    old.put("scenario", 0);
    old.put("target", ItemFields.newBuilder().setItemId(6L).build());
    old.put("history", history);
    old.put("label", 1f);

    TrainingExample current = AvroCodec.trainingExamples().decode(encodeWith(v1, old));

    assertThat(current.getHistory().getItemIds()).containsExactly(5L);
    assertThat(current.getLabel()).isEqualTo(1f);
    assertThat(current.getRecent()).isNull();
  }

  @Test
  void trainingExampleWrittenWithVersion2HasNoOtherSelections() throws Exception {
    Schema v2 = AvroCodec.historicalSchema("TrainingExample-v2.avsc");
    GenericRecord old = new GenericData.Record(v2);
    old.put("exampleId", "x-2");
    old.put("userId", 4L);
    old.put("impressionTime", 20L);
    old.put("scenario", 0);
    old.put("target", ItemFields.newBuilder().setItemId(6L).build());
    old.put("history", oneBehavior(5L));
    old.put("recent", oneBehavior(7L));
    old.put("label", 0f);

    TrainingExample current = AvroCodec.trainingExamples().decode(encodeWith(v2, old));

    assertThat(current.getHistory().getItemIds()).containsExactly(5L);
    assertThat(current.getRecent().getItemIds()).containsExactly(7L);
    assertThat(current.getSelections()).isEmpty();
  }

  @Test
  void modelUpdateWrittenWithVersion1BelongsToTheLegacyEpoch() throws Exception {
    Schema v1 = AvroCodec.historicalSchema("ModelUpdate-v1.avsc");
    GenericRecord old = new GenericData.Record(v1);
    old.put("variant", "tin");
    old.put("version", 7L);
    old.put("baseVersion", -1L);
    old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "FULL"));
    old.put("formatVersion", 1);
    old.put("createdAt", 99L);
    old.put("payload", java.nio.ByteBuffer.wrap(new byte[] {1, 2}));

    ModelUpdate current = AvroCodec.modelUpdates().decode(encodeWith(v1, old));

    assertThat(current.getVersion()).isEqualTo(7L);
    assertThat(current.getKind()).isEqualTo(UpdateKind.FULL);
    assertThat(current.getRunEpoch()).isZero();
  }

  @Test
  void modelUpdateWrittenWithVersion2HasNoChecksum() throws Exception {
    Schema v2 = AvroCodec.historicalSchema("ModelUpdate-v2.avsc");
    GenericRecord old = new GenericData.Record(v2);
    old.put("variant", "lrea");
    old.put("version", 3L);
    old.put("runEpoch", 11L);
    old.put("baseVersion", 2L);
    old.put("kind", new GenericData.EnumSymbol(v2.getField("kind").schema(), "DELTA"));
    old.put("formatVersion", 1);
    old.put("createdAt", 99L);
    old.put("payload", java.nio.ByteBuffer.wrap(new byte[] {1, 2}));

    ModelUpdate current = AvroCodec.modelUpdates().decode(encodeWith(v2, old));

    assertThat(current.getRunEpoch()).isEqualTo(11L);
    assertThat(current.getBaseVersion()).isEqualTo(2L);
    assertThat(current.getKind()).isEqualTo(UpdateKind.DELTA);
    // 0: written before checksums, which readers do not check.
    assertThat(current.getChecksum()).isZero();
  }

  private static BehaviorSequence oneBehavior(long item) {
    return BehaviorSequence.newBuilder()
        .setItemIds(java.util.List.of(item))
        .setCategoryL1(java.util.List.of(1))
        .setCategoryL2(java.util.List.of(2))
        .setCategoryL3(java.util.List.of(3))
        .setActionTypes(java.util.List.of(1))
        .setScenarios(java.util.List.of(0))
        .setEventTimes(java.util.List.of(10L))
        .build();
  }

  @Test
  void currentRecordsRoundTrip() throws Exception {
    BehaviorEvent event =
        BehaviorEvent.newBuilder()
            .setEventId("e-2")
            .setUserId(1L)
            .setEventTime(java.time.Instant.ofEpochMilli(5_000L))
            .setActionType(ActionType.IMPRESSION)
            .setDomain(Domain.AD)
            .setItem(ItemFields.newBuilder().setItemId(3L).setCategoryL1(1).build())
            .setRequestId("r-1")
            .build();
    assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
  }

  @Test
  void garbageIsRejectedWithAReason() {
    assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("BehaviorEvent");
    assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(RecordDecodeException.class);
  }

  @Test
  void truncatedBodyIsRejected() {
    BehaviorEvent event =
        BehaviorEvent.newBuilder()
            .setEventId("e-3")
            .setUserId(1L)
            .setEventTime(java.time.Instant.ofEpochMilli(5_000L))
            .setItem(ItemFields.newBuilder().setItemId(3L).build())
            .build();
    byte[] bytes = codec.encode(event);
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 6);
    assertThatThrownBy(() -> codec.decode(truncated))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("corrupt");
  }

  private static byte[] encodeWith(Schema schema, GenericRecord record) throws IOException {
    BinaryMessageEncoder<GenericRecord> encoder =
        new BinaryMessageEncoder<>(GenericData.get(), schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    encoder.encode(record, out);
    return out.toByteArray();
  }
}
