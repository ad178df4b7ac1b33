package io.tinstream.streaming.scoring;

import io.tinstream.schemas.AdRequest;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * What a checkpoint records of {@link ScoringWorkSerializer}: the layout version, and the request's
 * Avro serializer snapshot (its schema), so a restore resolves the request's schema evolution the
 * way Avro does.
 */
public final class ScoringWorkSerializerSnapshot
    extends CompositeTypeSerializerSnapshot<ScoringWork, ScoringWorkSerializer> {

  /** Version 1: request, arrival, trajectory length, distinct column histories, indices. */
  static final int CURRENT_VERSION = 1;

  /** For reading a snapshot back (Flink instantiates it reflectively). */
  public ScoringWorkSerializerSnapshot() {}

  ScoringWorkSerializerSnapshot(ScoringWorkSerializer serializer) {
    super(serializer);
  }

  @Override
  protected int getCurrentOuterSnapshotVersion() {
    return CURRENT_VERSION;
  }

  @Override
  protected TypeSerializer<?>[] getNestedSerializers(ScoringWorkSerializer outer) {
    return new TypeSerializer<?>[] {outer.requestSerializer()};
  }

  @Override
  @SuppressWarnings("unchecked")
  protected ScoringWorkSerializer createOuterSerializerWithNestedSerializers(
      TypeSerializer<?>[] nested) {
    return new ScoringWorkSerializer((TypeSerializer<AdRequest>) nested[0]);
  }
}
