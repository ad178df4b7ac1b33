package io.tinstream.training.batch;

/**
 * One user's behaviors in columnar primitive form, oldest first (no object per behavior). Ids are
 * raw dataset ids; negative = unknown.
 */
public record Trajectory(
    int userId,
    int[] item,
    int[] cat1,
    int[] cat2,
    int[] cat3,
    int[] action,
    int[] scenario,
    long[] timeSec) {

  public Trajectory {
    int n = item.length;
    if (cat1.length != n
        || cat2.length != n
        || cat3.length != n
        || action.length != n
        || scenario.length != n
        || timeSec.length != n) {
      throw new IllegalArgumentException("trajectory columns differ in length");
    }
  }

  public int length() {
    return item.length;
  }
}
