package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.TaxonomyKind;

/** Looks up the parent of a taxonomy child; null when unknown. */
@FunctionalInterface
public interface TaxonomyLookup {
  Long parent(TaxonomyKind kind, long child) throws Exception;

  /** The broadcast-state key of an edge. */
  static String key(TaxonomyKind kind, long child) {
    return kind.name() + ":" + child;
  }
}
