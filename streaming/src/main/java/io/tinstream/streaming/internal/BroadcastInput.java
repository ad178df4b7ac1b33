package io.tinstream.streaming.internal;

import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.TaxonomyEntry;

/**
 * What the trajectory operator's broadcast input carries: a taxonomy edge or a full snapshot of the
 * lrea model (read back from the model-updates topic), exactly one set. A union type because a
 * keyed broadcast function has a single broadcast input.
 */
public final class BroadcastInput {
  public TaxonomyEntry taxonomy;
  public ModelUpdate model;

  public BroadcastInput() {}

  public static BroadcastInput of(TaxonomyEntry entry) {
    BroadcastInput in = new BroadcastInput();
    in.taxonomy = entry;
    return in;
  }

  public static BroadcastInput of(ModelUpdate update) {
    BroadcastInput in = new BroadcastInput();
    in.model = update;
    return in;
  }
}
