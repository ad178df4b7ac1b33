package io.tinstream.streaming.trajectory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelRegistry;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.versions.ModelUpdates;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * The check of the model-updates topic's records as the job reads them: full snapshots of the
 * variants served from keyed state are checked whole against the configured params, everything else
 * for its record, and another job's variants not at all accepted.
 */
class ModelUpdateValidatorTest {

  private final ModelSpecs specs = ModelSpecs.of(List.of("tin", "lrea"), 8, 20, 4, 3);

  @Test
  void theTrainersSnapshotsAndDeltasPass() throws Exception {
    ModelUpdateValidator validator = shipped();
    try (CtrModel lrea = specs.build("lrea")) {
      assertThat(validator.apply(ModelUpdates.full("lrea", 1L, lrea, 0))).isEmpty();
    }
  }

  @Test
  void aVariantThisJobDoesNotHaveIsRefused() throws Exception {
    try (CtrModel din =
        ModelRegistry.build(specs.params("tin").toBuilder().variant("din").build())) {
      assertThat(shipped().apply(ModelUpdates.full("din", 1L, din, 0)))
          .hasValue("model variant 'din' is not one this job serves [tin, lrea]");
    }
  }

  @Test
  void aFollowedSnapshotOfOtherParamsIsRefusedWithTheVariable() throws Exception {
    try (CtrModel otherRank =
        ModelRegistry.build(specs.params("lrea").toBuilder().lreaRank(6).build())) {
      assertThat(shipped().apply(ModelUpdates.full("lrea", 1L, otherRank, 0)))
          .hasValueSatisfying(
              r -> assertThat(r).startsWith("payload does not fit lrea:").contains("shape"));
    }
  }

  @Test
  void anUnfollowedUpdateIsCheckedForItsRecordOnly() throws Exception {
    try (CtrModel tin = specs.build("tin")) {
      ModelUpdate full = ModelUpdates.full("tin", 1L, tin, 0);
      byte[] payload = ModelUpdates.payload(full);
      ModelUpdate cut =
          ModelUpdate.newBuilder(full)
              .setPayload(ByteBuffer.wrap(Arrays.copyOf(payload, payload.length / 2)))
              .build();
      assertThat(shipped().apply(cut))
          .as("the checksum")
          .hasValueSatisfying(r -> assertThat(r).startsWith("checksum mismatch"));
      assertThat(shipped().apply(ModelUpdate.newBuilder(cut).setChecksum(0L).build()))
          .as("not decoded: it goes no further")
          .isEmpty();
    }
  }

  @Test
  void anOlderRunAfterANewerOneIsRefused() throws Exception {
    ModelUpdateValidator validator = shipped();
    try (CtrModel lrea = specs.build("lrea")) {
      assertThat(validator.apply(ModelUpdates.full("lrea", 2L, lrea, 0))).isEmpty();
      assertThat(validator.apply(ModelUpdates.full("lrea", 1L, lrea, 0)))
          .hasValueSatisfying(r -> assertThat(r).startsWith("older lineage"));
    }
  }

  /** The validator as an operator gets it: serialized with the job graph. */
  private ModelUpdateValidator shipped() throws Exception {
    return InstantiationUtil.clone(
        new ModelUpdateValidator(specs, specs.servedFromKeyedState()), getClass().getClassLoader());
  }
}
