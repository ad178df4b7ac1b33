package io.tinstream.models.embedding;

import io.tinstream.models.FeatureEncoding;

/**
 * What {@link IdRowMapping#observe} did with an id: the row to use now and, for a row handed to a
 * new id, whether it held another id before. A trainer must reset such a row (embedding and
 * optimizer slots) to the initializer before its next step reads it, or the new id starts from the
 * old id's trained vector.
 *
 * @param outcome why the id has this row
 * @param row the id's own row, or {@link FeatureEncoding#RESERVED_ROW}
 * @param mustReset true only for {@link Outcome#ADMITTED} onto a row another id held before
 */
public record Admission(Outcome outcome, int row, boolean mustReset) {
  /** The ways an observation ends. */
  public enum Outcome {
    /** The id got a row of its own by this observation. */
    ADMITTED,
    /** The id already had its row; its expiry clock restarts. */
    KNOWN,
    /** Counted, not yet seen {@code minCount} times: reserved row. */
    PENDING,
    /** Seen often enough but every row is taken: reserved row, counted as refused. */
    REFUSED_FULL,
    /** A negative (unknown) id: reserved row, not counted. */
    UNKNOWN_ID
  }

  static final Admission PENDING =
      new Admission(Outcome.PENDING, FeatureEncoding.RESERVED_ROW, false);
  static final Admission REFUSED_FULL =
      new Admission(Outcome.REFUSED_FULL, FeatureEncoding.RESERVED_ROW, false);
  static final Admission UNKNOWN_ID =
      new Admission(Outcome.UNKNOWN_ID, FeatureEncoding.RESERVED_ROW, false);

  public Admission {
    if (mustReset && outcome != Outcome.ADMITTED) {
      throw new IllegalArgumentException("only a new admission can require a reset");
    }
  }

  /** Whether the id now has a row of its own (not the reserved row). */
  public boolean hasOwnRow() {
    return outcome == Outcome.ADMITTED || outcome == Outcome.KNOWN;
  }
}
