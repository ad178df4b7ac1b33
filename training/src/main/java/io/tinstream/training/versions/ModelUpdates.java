package io.tinstream.training.versions;

import io.tinstream.models.CtrModel;
import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.UpdateKind;
import java.nio.ByteBuffer;

/** The {@link ModelUpdate} records a model's versions travel in, and their payload bytes. */
public final class ModelUpdates {

  private ModelUpdates() {}

  /**
   * Every weight and optimizer slot of {@code model}, of the trainer run {@code runEpoch}: applies
   * on a replica at any version of that run or an older one.
   */
  public static ModelUpdate full(String variant, long runEpoch, CtrModel model, long now) {
    return sealedRecord(
        variant, runEpoch, model.version(), -1, UpdateKind.FULL, now, model.exportVariables());
  }

  /**
   * The dense weights and the embedding rows touched after {@code baseVersion}: applies only on a
   * replica at exactly {@code baseVersion} of the same run {@code runEpoch}.
   */
  public static ModelUpdate delta(
      String variant, long runEpoch, CtrModel model, long baseVersion, long now) {
    return sealedRecord(
        variant,
        runEpoch,
        model.version(),
        baseVersion,
        UpdateKind.DELTA,
        now,
        model.exportRowsSince(baseVersion));
  }

  public static boolean isFull(ModelUpdate update) {
    return update.getKind() == UpdateKind.FULL;
  }

  /** The serialized variables, without disturbing the record's buffer. */
  public static byte[] payload(ModelUpdate update) {
    ByteBuffer b = update.getPayload().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static ModelUpdate sealedRecord(
      String variant,
      long runEpoch,
      long version,
      long base,
      UpdateKind kind,
      long now,
      byte[] payload) {
    // Sealed here, where every published update is made: readers of the topic check it.
    return ModelUpdateChecksum.sealed(record(variant, runEpoch, version, base, kind, now, payload));
  }

  private static ModelUpdate record(
      String variant,
      long runEpoch,
      long version,
      long base,
      UpdateKind kind,
      long now,
      byte[] payload) {
    return ModelUpdate.newBuilder()
        .setVariant(variant)
        .setRunEpoch(runEpoch)
        .setVersion(version)
        .setBaseVersion(base)
        .setKind(kind)
        .setFormatVersion(VariableCodec.FORMAT_VERSION)
        .setCreatedAt(now)
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }
}
