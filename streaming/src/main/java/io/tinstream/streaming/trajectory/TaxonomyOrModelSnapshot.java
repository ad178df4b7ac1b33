package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.TaxonomyEntry;

/**
 * What the trajectory operator's broadcast input carries: a taxonomy edge or a full snapshot of the
 * lrea model (read back from the model-updates topic), exactly one set. A union type because a
 * keyed broadcast function has a single broadcast input.
 */
public final class TaxonomyOrModelSnapshot {
  public TaxonomyEntry taxonomy;
  public ModelUpdate model;

  public TaxonomyOrModelSnapshot() {}

  public static TaxonomyOrModelSnapshot of(TaxonomyEntry entry) {
    TaxonomyOrModelSnapshot in = new TaxonomyOrModelSnapshot();
    in.taxonomy = entry;
    return in;
  }

  public static TaxonomyOrModelSnapshot of(ModelUpdate update) {
    TaxonomyOrModelSnapshot in = new TaxonomyOrModelSnapshot();
    in.model = update;
    return in;
  }
}
