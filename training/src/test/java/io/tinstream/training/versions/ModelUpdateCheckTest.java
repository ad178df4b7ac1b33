package io.tinstream.training.versions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.training.TinyModels;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of poison pill a model-updates topic can hold is refused with its reason, and what the
 * trainer publishes (and what older writers wrote without a checksum) passes.
 */
class ModelUpdateCheckTest {

  private static CtrModel trainer;
  private static VariableLayout layout;
  private static ModelUpdate full;
  private static ModelUpdate delta;

  @BeforeAll
  static void publish() {
    trainer = TinyModels.build();
    layout = VariableLayout.of(trainer);
    ModelPublisher publisher = new ModelPublisher(Map.of(TinyModels.VARIANT, trainer), 4, 0, 5L);
    trainer.trainStep(TinyModels.batch(1, 0));
    full = publisher.afterBatch(true, 1).get(0);
    trainer.trainStep(TinyModels.batch(2, 10));
    delta = publisher.afterBatch(true, 2).get(0);
  }

  @AfterAll
  static void close() {
    trainer.close();
  }

  @Test
  void whatTheTrainerPublishesPassesAndCarriesAChecksum() {
    assertThat(full.getChecksum()).isNotZero();
    assertThat(ModelUpdateCheck.content(full, layout)).isEmpty();
    assertThat(ModelUpdates.isFull(delta)).isFalse();
    assertThat(ModelUpdateCheck.content(delta, layout)).isEmpty();
  }

  @Test
  void theChecksumSurvivesTheTopicsEncoding() throws Exception {
    AvroCodec<ModelUpdate> codec = AvroCodec.modelUpdates();
    ModelUpdate read = codec.decode(codec.encode(full));
    assertThat(ModelUpdateCheck.content(read, layout)).isEmpty();
  }

  @Test
  void aFlippedPayloadByteIsACorruptChecksum() {
    byte[] payload = ModelUpdates.payload(full);
    payload[payload.length / 2] ^= 0x10;
    ModelUpdate corrupt = withPayload(full, payload); // the checksum of the original

    assertThat(ModelUpdateCheck.content(corrupt, layout))
        .hasValueSatisfying(r -> assertThat(r).startsWith("checksum mismatch"));
  }

  @Test
  void anAlteredFieldIsACorruptChecksum() {
    ModelUpdate altered = ModelUpdate.newBuilder(full).setVersion(full.getVersion() + 1).build();
    assertThat(ModelUpdateCheck.record(altered))
        .hasValueSatisfying(r -> assertThat(r).startsWith("checksum mismatch"));
  }

  @Test
  void aCorruptPayloadWithoutChecksumDoesNotDecode() {
    byte[] payload = ModelUpdates.payload(full);
    ByteBuffer.wrap(payload).putInt(0, 0x12345678); // the magic
    assertThat(ModelUpdateCheck.content(unchecked(withPayload(full, payload)), layout))
        .hasValueSatisfying(
            r -> assertThat(r).contains("payload: not a tinstream variable export"));
  }

  @Test
  void aTruncatedPayloadIsRefused() {
    byte[] payload = ModelUpdates.payload(full);
    byte[] truncated = Arrays.copyOf(payload, payload.length - 7);
    assertThat(ModelUpdateCheck.content(unchecked(withPayload(full, truncated)), layout))
        .hasValueSatisfying(r -> assertThat(r).contains("payload: truncated or corrupt"));
    // Checked or not: a truncated record with its checksum is a mismatch.
    assertThat(
            ModelUpdateCheck.content(
                ModelUpdateChecksum.sealed(withPayload(full, truncated)), layout))
        .hasValueSatisfying(r -> assertThat(r).contains("payload: truncated or corrupt"));
  }

  @Test
  void aCountLargerThanThePayloadIsRefusedBeforeItIsAllocated() {
    byte[] payload = ModelUpdates.payload(full);
    VariableCodec.Snapshot s = VariableCodec.decode(payload);
    String firstDense = s.dense().keySet().iterator().next();
    // Magic, format, kind, variant (2 + 3 bytes), three longs, the dense count, the first name,
    // its rank and dims: then the first value count, here declared as 2^30 floats.
    int rank = s.dense().get(firstDense).shape().length;
    int at = 4 + 4 + 1 + 2 + 3 + 24 + 4 + 2 + firstDense.length() + 4 + 8 * rank;
    ByteBuffer.wrap(payload).putInt(at, 1 << 30);
    assertThat(ModelUpdateCheck.content(unchecked(withPayload(full, payload)), layout))
        .hasValueSatisfying(r -> assertThat(r).contains("payload:"));
  }

  @Test
  void trailingBytesAfterTheLastTableAreRefused() {
    byte[] payload = ModelUpdates.payload(full);
    byte[] longer = Arrays.copyOf(payload, payload.length + 3);
    assertThat(
            ModelUpdateCheck.content(ModelUpdateChecksum.sealed(withPayload(full, longer)), layout))
        .hasValueSatisfying(r -> assertThat(r).contains("3 trailing bytes"));
  }

  @Test
  void aPayloadOfAnotherVariantIsRefused() {
    ModelUpdate renamed =
        ModelUpdateChecksum.sealed(ModelUpdate.newBuilder(full).setVariant("din").build());
    assertThat(ModelUpdateCheck.content(renamed, layout))
        .hasValueSatisfying(r -> assertThat(r).contains("checked against 'tin'"));
    VariableLayout other = layoutOf(TinyModels.params().variant("din"));
    assertThat(ModelUpdateCheck.content(renamed, other))
        .hasValueSatisfying(
            r -> assertThat(r).contains("payload header disagrees").contains("variant 'tin'"));
  }

  @Test
  void aPayloadWhoseVersionDisagreesWithTheRecordIsRefused() {
    // It would be imported again on every read: the replica's version comes from the payload.
    ModelUpdate other =
        ModelUpdateChecksum.sealed(ModelUpdate.newBuilder(full).setVersion(9).build());
    assertThat(ModelUpdateCheck.content(other, layout))
        .hasValueSatisfying(r -> assertThat(r).contains("version 1, record 9"));
  }

  @Test
  void weightsOfOtherParamsAreTheWrongShape() {
    try (CtrModel wider = ModelRegistry.build(TinyModels.params().dim(8).build())) {
      ModelUpdate wrongShape = ModelUpdates.full(TinyModels.VARIANT, 5L, wider, 1);
      assertThat(ModelUpdateCheck.content(wrongShape, layout))
          .hasValueSatisfying(
              r ->
                  assertThat(r)
                      .startsWith("payload does not fit tin:")
                      .contains("configured params give"));
    }
    try (CtrModel moreItems =
        ModelRegistry.build(TinyModels.params().rows(ModelParams.Field.ITEM, 300).build())) {
      ModelUpdate wrongRows = ModelUpdates.full(TinyModels.VARIANT, 5L, moreItems, 1);
      assertThat(ModelUpdateCheck.content(wrongRows, layout))
          .hasValueSatisfying(r -> assertThat(r).contains("holds 300 rows").contains("give 200"));
    }
  }

  @Test
  void aNonFiniteWeightIsRefused() {
    VariableCodec.Snapshot s = VariableCodec.decode(ModelUpdates.payload(full));
    VariableCodec.Dense first = s.dense().values().iterator().next();
    first.values()[0] = Float.NaN;
    ModelUpdate nan = ModelUpdateChecksum.sealed(withPayload(full, VariableCodec.encode(s)));
    assertThat(ModelUpdateCheck.content(nan, layout))
        .hasValueSatisfying(r -> assertThat(r).contains("non-finite value"));
  }

  @Test
  void anUnknownPayloadFormatIsRefused() {
    ModelUpdate newer =
        ModelUpdateChecksum.sealed(ModelUpdate.newBuilder(full).setFormatVersion(99).build());
    assertThat(ModelUpdateCheck.record(newer))
        .hasValueSatisfying(r -> assertThat(r).contains("payload format 99 not supported"));
  }

  @Test
  void anOlderRunAfterANewerOneIsOlderLineage() {
    NewestRuns runs = new NewestRuns();
    ModelUpdate older = ModelUpdate.newBuilder(full).setRunEpoch(4L).build();
    assertThat(runs.admit(older)).as("the oldest run first: history").isEmpty();
    assertThat(runs.admit(full)).isEmpty();
    assertThat(runs.admit(delta)).as("the same run").isEmpty();
    assertThat(runs.admit(ModelUpdate.newBuilder(full).setVersion(0).build()))
        .as("an older version of the same run (a restored trainer's)")
        .isEmpty();
    assertThat(runs.admit(older))
        .hasValueSatisfying(r -> assertThat(r).startsWith("older lineage").contains("after run 5"));
    assertThat(runs.admit(ModelUpdate.newBuilder(older).setVariant("din").build()))
        .as("runs are per variant")
        .isEmpty();
  }

  @Test
  void anUpdateWrittenWithoutAChecksumIsStillCheckedForContent() {
    assertThat(ModelUpdateCheck.content(unchecked(full), layout)).isEmpty();
  }

  private static ModelUpdate unchecked(ModelUpdate u) {
    return ModelUpdate.newBuilder(u).setChecksum(0L).build();
  }

  private static ModelUpdate withPayload(ModelUpdate u, byte[] payload) {
    return ModelUpdate.newBuilder(u).setPayload(ByteBuffer.wrap(payload)).build();
  }

  private static VariableLayout layoutOf(ModelParams.Builder params) {
    try (CtrModel m = ModelRegistry.build(params.build())) {
      return VariableLayout.of(m);
    }
  }
}
