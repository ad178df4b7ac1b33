package io.tinstream.state;

import java.util.Arrays;

/**
 * A user's LREA pair (MODELS.md "LREA"): {@code E_comp} and {@code E_aux}, each {@code [d, r]}
 * row-major, tagged with the model version and the trajectory length they were built from. Only
 * floats and metadata: the state module does not depend on the model runtime.
 *
 * <p>Immutable by contract: the arrays are owned by the entry once constructed and nobody mutates
 * them (a new pair is a new entry, written back with {@code update()}).
 */
public final class LreaEntry {
  private final int dim;
  private final int rank;
  private final long modelVersion;
  private final int trajectoryLength;
  private final float[] eComp;
  private final float[] eAux;

  public LreaEntry(
      int dim, int rank, long modelVersion, int trajectoryLength, float[] eComp, float[] eAux) {
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
    if (trajectoryLength < 0) {
      throw new IllegalArgumentException("trajectoryLength must be >= 0: " + trajectoryLength);
    }
    this.dim = dim;
    this.rank = rank;
    this.modelVersion = modelVersion;
    this.trajectoryLength = trajectoryLength;
    this.eComp = eComp;
    this.eAux = eAux;
  }

  public int dim() {
    return dim;
  }

  public int rank() {
    return rank;
  }

  /** Version of the model whose weights built this pair. */
  public long modelVersion() {
    return modelVersion;
  }

  /** Behaviors in the user's trajectory when the pair was built. */
  public int trajectoryLength() {
    return trajectoryLength;
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
        && modelVersion == e.modelVersion
        && trajectoryLength == e.trajectoryLength
        && Arrays.equals(eComp, e.eComp)
        && Arrays.equals(eAux, e.eAux);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(eComp) * 31 + Long.hashCode(modelVersion) + trajectoryLength;
  }

  @Override
  public String toString() {
    return "LreaEntry{d="
        + dim
        + ", r="
        + rank
        + ", modelVersion="
        + modelVersion
        + ", trajectoryLength="
        + trajectoryLength
        + "}";
  }
}
