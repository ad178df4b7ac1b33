package io.tinstream.state;

import java.util.Arrays;

/**
 * A user's LREA pair (MODELS.md "LREA"): {@code E_comp} and {@code E_aux}, each {@code [d, r]}
 * row-major, tagged with what they were built from ({@link Stamp}: the model's run epoch and
 * version, the trajectory's length and appended count, its newest behavior's time). Only floats and
 * metadata: the state module does not depend on the model runtime.
 *
 * <p>Immutable by contract: the arrays are owned by the entry once constructed and nobody mutates
 * them (a new pair is a new entry, written back with {@code update()}).
 */
public final class LreaEntry {

  /**
   * What an entry was built from.
   *
   * @param modelEpoch run epoch of the model whose weights built it (0: before epochs existed)
   * @param modelVersion version of that model within its run
   * @param trajectoryLength behaviors the pair compresses
   * @param appendedCount the user's appended-behavior counter when it was built ({@code
   *     TrajectoryStore.appendedCount}), which keeps growing where the length stops at the cap; -1
   *     when unknown (an entry of format 1)
   * @param newestEventTime event time of the newest behavior in the pair ({@link Long#MIN_VALUE}
   *     for none), so a request before it knows the pair holds behaviors from its future
   */
  public record Stamp(
      long modelEpoch,
      long modelVersion,
      int trajectoryLength,
      long appendedCount,
      long newestEventTime) {
    public Stamp {
      if (trajectoryLength < 0) {
        throw new IllegalArgumentException("trajectoryLength must be >= 0: " + trajectoryLength);
      }
    }

    /** The stamp of a pair built from {@code trajectory} with the user's appended count. */
    public static Stamp of(
        long modelEpoch, long modelVersion, TrajectoryView trajectory, long appendedCount) {
      long newest =
          trajectory.isEmpty() ? Long.MIN_VALUE : trajectory.eventTime(trajectory.size() - 1);
      return new Stamp(modelEpoch, modelVersion, trajectory.size(), appendedCount, newest);
    }
  }

  private final int dim;
  private final int rank;
  private final Stamp stamp;
  private final float[] eComp;
  private final float[] eAux;

  public LreaEntry(int dim, int rank, Stamp stamp, float[] eComp, float[] eAux) {
    if (dim <= 0 || rank <= 0) {
      throw new IllegalArgumentException("dim and rank must be > 0: " + dim + ", " + rank);
    }
    if (eComp.length != dim * rank || eAux.length != dim * rank) {
      throw new IllegalArgumentException(
          "E_comp and E_aux must have d*r = "
              + dim * rank
              + " floats, got "
              + eComp.length
              + " and "
              + eAux.length);
    }
    this.dim = dim;
    this.rank = rank;
    this.stamp = java.util.Objects.requireNonNull(stamp);
    this.eComp = eComp;
    this.eAux = eAux;
  }

  public int dim() {
    return dim;
  }

  public int rank() {
    return rank;
  }

  /** What the pair was built from. */
  public Stamp stamp() {
    return stamp;
  }

  /** Run epoch of the model whose weights built this pair. */
  public long modelEpoch() {
    return stamp.modelEpoch();
  }

  /** Version (within its run) of the model whose weights built this pair. */
  public long modelVersion() {
    return stamp.modelVersion();
  }

  /** Behaviors in the user's trajectory when the pair was built. */
  public int trajectoryLength() {
    return stamp.trajectoryLength();
  }

  /** {@code E_comp = E_sᵀ W_comp}, {@code [d, r]} row-major; do not mutate. */
  public float[] eComp() {
    return eComp;
  }

  /** {@code E_aux = E_sᵀ W_decompᵀ}, {@code [d, r]} row-major; do not mutate. */
  public float[] eAux() {
    return eAux;
  }

  /** Floats kept for this user: {@code 2·d·r}. */
  public int floats() {
    return 2 * dim * rank;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LreaEntry e
        && dim == e.dim
        && rank == e.rank
        && stamp.equals(e.stamp)
        && Arrays.equals(eComp, e.eComp)
        && Arrays.equals(eAux, e.eAux);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(eComp) * 31 + stamp.hashCode();
  }

  @Override
  public String toString() {
    return "LreaEntry{d=" + dim + ", r=" + rank + ", " + stamp + "}";
  }
}
