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
  void trainingExampleWrittenWithVersion3HasSequencesWithoutItemSideInfo() throws Exception {
    Schema v3 = AvroCodec.historicalSchema("TrainingExample-v3.avsc");
    Schema oldSequence = v3.getField("history").schema();
    GenericRecord old = new GenericData.Record(v3);
    old.put("exampleId", "x-3");
    old.put("userId", 4L);
    old.put("impressionTime", 20L);
    old.put("scenario", 0);
    old.put("target", ItemFields.newBuilder().setItemId(6L).build());
    old.put("history", oldSequence(oldSequence, 5L));
    old.put("label", 1f);
    old.put("selections", java.util.Map.of("stratified:4", oldSequence(oldSequence, 8L)));

    TrainingExample current = AvroCodec.trainingExamples().decode(encodeWith(v3, old));

    BehaviorSequence history = current.getHistory();
    assertThat(history.getItemIds()).containsExactly(5L);
    assertThat(history.getActionDetails()).containsExactly(2.5f);
    // Columns added after version 3 are empty: unknown for every behavior.
    assertThat(history.getCreativeIds()).isEmpty();
    assertThat(history.getProductIds()).isEmpty();
    assertThat(history.getSpuIds()).isEmpty();
    assertThat(history.getMarketingTargets()).isEmpty();
    assertThat(history.getAdvertiserIds()).isEmpty();
    assertThat(history.getIndustryIds()).isEmpty();
    assertThat(current.getSelections().get("stratified:4").getItemIds()).containsExactly(8L);
  }

  @Test
  void probeResponseWrittenWithVersion1IsRead() throws Exception {
    Schema v1 = AvroCodec.historicalSchema("ProbeResponse-v1.avsc");
    Schema oldSequence = v1.getField("perCandidate").schema().getElementType();
    GenericRecord old = new GenericData.Record(v1);
    old.put("requestId", "r-1");
    old.put("userId", 4L);
    old.put("trajectoryLength", 1);
    old.put("searchMode", "latest");
    old.put("perCandidate", java.util.List.of(oldSequence(oldSequence, 5L)));

    ProbeResponse current = AvroCodec.probeResponses().decode(encodeWith(v1, old));

    assertThat(current.getPerCandidate().get(0).getItemIds()).containsExactly(5L);
    assertThat(current.getPerCandidate().get(0).getAdvertiserIds()).isEmpty();
  }

  @Test
  void behaviorSequenceOfVersion1ResolvesToEmptyNewColumns() throws Exception {
    Schema v1 = AvroCodec.historicalSchema("BehaviorSequence-v1.avsc");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder enc =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(v1)
        .write(oldSequence(v1, 5L), enc);
    enc.flush();

    BehaviorSequence current =
        new org.apache.avro.specific.SpecificDatumReader<BehaviorSequence>(
                v1, BehaviorSequence.getClassSchema())
            .read(
                null,
                org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

    assertThat(current.getItemIds()).containsExactly(5L);
    assertThat(current.getCreativeIds()).isEmpty();
    assertThat(current.getIndustryIds()).isEmpty();
  }

  /** One behavior in the BehaviorSequence layout before the item side-info columns. */
  private static GenericRecord oldSequence(Schema schema, long item) {
    GenericRecord s = new GenericData.Record(schema);
    s.put("eventTimes", java.util.List.of(10L));
    s.put("itemIds", java.util.List.of(item));
    s.put("categoryL1", java.util.List.of(1));
    s.put("categoryL2", java.util.List.of(2));
    s.put("categoryL3", java.util.List.of(3));
    s.put("actionTypes", java.util.List.of(1));
    s.put("scenarios", java.util.List.of(0));
    s.put("domains", java.util.List.of(1));
    s.put("actionDetails", java.util.List.of(2.5f));
    s.put("positions", java.util.List.of());
    return s;
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
