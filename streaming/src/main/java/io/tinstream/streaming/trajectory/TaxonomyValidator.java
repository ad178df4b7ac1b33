package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import java.util.Optional;

/**
 * The rules a taxonomy edge must pass before the trajectory operator may use it; messages become
 * dead-letter reasons (topic) or startup errors (file). An edge the item fields cannot hold would
 * otherwise fail {@link TaxonomyFill} on every behavior that reaches it.
 */
public final class TaxonomyValidator {

  private TaxonomyValidator() {}

  /**
   * Why the edge is invalid, or empty when it is valid. A child equal to its parent is valid: each
   * kind maps one level's ids to the next level's (L2 category 1 may well sit under L1 category 1),
   * and the fill looks each level up once, so no edge can loop.
   */
  public static Optional<String> check(TaxonomyEntry e) {
    if (e.getKind() == null) {
      return Optional.of("kind is missing");
    }
    if (e.getChild() < 0) {
      return Optional.of(e.getKind() + " child is negative: " + e.getChild());
    }
    if (e.getParent() < 0) {
      return Optional.of(e.getKind() + " parent is negative: " + e.getParent());
    }
    // Categories are int fields of ItemFields; products and SPUs are longs.
    if (e.getKind() == TaxonomyKind.L3_PARENT || e.getKind() == TaxonomyKind.L2_PARENT) {
      if (e.getChild() > Integer.MAX_VALUE) {
        return Optional.of(
            e.getKind() + " child is not a category (beyond int range): " + e.getChild());
      }
      if (e.getParent() > Integer.MAX_VALUE) {
        return Optional.of(
            e.getKind() + " parent is not a category (beyond int range): " + e.getParent());
      }
    }
    return Optional.empty();
  }
}
