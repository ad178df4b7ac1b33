package io.tinstream.streaming.scoring;

import io.tinstream.schemas.AdRequest;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;

/**
 * What a checkpoint records of {@link ScoringWorkSerializer}: the layout version, and the request's
 * Avro serializer snapshot (its schema), so a restore resolves the request's schema evolution the
 * way Avro does. A snapshot of an older layout restores a serializer reading that layout, and the
 * current serializer asks Flink to migrate state written in it.
 */
public final class ScoringWorkSerializerSnapshot
    extends CompositeTypeSerializerSnapshot<ScoringWork, ScoringWorkSerializer> {

  /**
   * Version 1: request, arrival, trajectory length, distinct column histories, indices. Version 2:
   * the produce time after the arrival. Version 3: a history's id columns each under its field's
   * name, for every field (versions 1 and 2: item, categories, action, scenario only).
   */
  static final int CURRENT_VERSION = 3;

  /** The layout of the serializer this snapshot was taken of (or read from). */
  private int layout = CURRENT_VERSION;

  /** For reading a snapshot back (Flink instantiates it reflectively). */
  public ScoringWorkSerializerSnapshot() {}

  ScoringWorkSerializerSnapshot(ScoringWorkSerializer serializer) {
    super(serializer);
    this.layout = serializer.layout();
  }

  @Override
  protected int getCurrentOuterSnapshotVersion() {
    return layout;
  }

  @Override
  protected void readOuterSnapshot(
      int readOuterSnapshotVersion, DataInputView in, ClassLoader userCodeClassLoader)
      throws IOException {
    // The outer snapshot has no fields of its own: its version is the layout.
    layout = readOuterSnapshotVersion;
  }

  @Override
  protected OuterSchemaCompatibility resolveOuterSchemaCompatibility(
      TypeSerializerSnapshot<ScoringWork> oldSerializerSnapshot) {
    if (!(oldSerializerSnapshot instanceof ScoringWorkSerializerSnapshot old)) {
      return OuterSchemaCompatibility.INCOMPATIBLE;
    }
    return old.layout == layout
        ? OuterSchemaCompatibility.COMPATIBLE_AS_IS
        : OuterSchemaCompatibility.COMPATIBLE_AFTER_MIGRATION;
  }

  @Override
  protected TypeSerializer<?>[] getNestedSerializers(ScoringWorkSerializer outer) {
    return new TypeSerializer<?>[] {outer.requestSerializer()};
  }

  @Override
  @SuppressWarnings("unchecked")
  protected ScoringWorkSerializer createOuterSerializerWithNestedSerializers(
      TypeSerializer<?>[] nested) {
    return new ScoringWorkSerializer((TypeSerializer<AdRequest>) nested[0], layout);
  }
}
