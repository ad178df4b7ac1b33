package io.tinstream.models;

import io.tinstream.models.layers.SasRecLayer;

/**
 * What keyed state holds per user for TD-SASRec retrieval: the head vectors {@code [H*d]} of {@link
 * SasRecLayer#OUT_USER_HEADS}, tagged with the model version and the trajectory length they were
 * computed from. A request uses them only while both still match ({@link #isFreshFor}); otherwise
 * the caller recomputes and replaces the entry, never scoring with a stale one silently.
 */
public record UserHeadCache(long modelVersion, int trajectoryLength, int heads, float[] vectors) {

  public UserHeadCache {
    if (heads < 1 || vectors.length % heads != 0) {
      throw new IllegalArgumentException(
          "vectors (" + vectors.length + ") must be heads (" + heads + ") x d");
    }
  }

  public boolean isFreshFor(long currentModelVersion, int currentTrajectoryLength) {
    return modelVersion == currentModelVersion && trajectoryLength == currentTrajectoryLength;
  }

  public int dim() {
    return vectors.length / heads;
  }

  /** The head of an ad's category slot ({@link CategorySlots}); plain SASRec has one head. */
  public float score(int categorySlot, float[] adVector, int adOffset) {
    int h = heads == 1 ? 0 : categorySlot;
    int d = dim();
    float s = 0;
    for (int i = 0; i < d; i++) {
      s += vectors[h * d + i] * adVector[adOffset + i];
    }
    return s;
  }
}
