package io.tinstream.streaming.scoring;

import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.RowHistory;
import java.util.Arrays;
import java.util.Objects;

/**
 * One selected history as primitive columns: exactly what {@link RowHistory} (and so the batch
 * builder) reads, nothing else. Taken from the trajectory once, it crosses the network to the
 * scorer without boxing a behavior field per element. Never mutated after construction: the arrays
 * are owned here and shared by copies of the work that carries them.
 */
public final class HistoryColumns implements RowHistory {

  final int[] item;
  final int[] cat1;
  final int[] cat2;
  final int[] cat3;
  final int[] action;
  final int[] scenario;
  final int[] position;
  final long[] time;

  /** Takes ownership of the arrays, which must all have the same length. */
  HistoryColumns(
      int[] item,
      int[] cat1,
      int[] cat2,
      int[] cat3,
      int[] action,
      int[] scenario,
      int[] position,
      long[] time) {
    int n = item.length;
    if (cat1.length != n
        || cat2.length != n
        || cat3.length != n
        || action.length != n
        || scenario.length != n
        || position.length != n
        || time.length != n) {
      throw new IllegalArgumentException("history columns of different lengths");
    }
    this.item = item;
    this.cat1 = cat1;
    this.cat2 = cat2;
    this.cat3 = cat3;
    this.action = action;
    this.scenario = scenario;
    this.position = position;
    this.time = time;
  }

  /** The behaviors of {@code past} at ascending {@code indices}, positions as in training. */
  public static HistoryColumns selected(TrajectoryView past, int[] indices) {
    return copyOf(RowHistory.selected(past, indices));
  }

  /** A copy of any history, field by field as {@link RowHistory} reads it. */
  public static HistoryColumns copyOf(RowHistory h) {
    int n = h.size();
    int[] item = new int[n];
    int[] cat1 = new int[n];
    int[] cat2 = new int[n];
    int[] cat3 = new int[n];
    int[] action = new int[n];
    int[] scenario = new int[n];
    int[] position = new int[n];
    long[] time = new long[n];
    for (int i = 0; i < n; i++) {
      item[i] = h.item(i);
      cat1[i] = h.cat1(i);
      cat2[i] = h.cat2(i);
      cat3[i] = h.cat3(i);
      action[i] = h.action(i);
      scenario[i] = h.scenario(i);
      position[i] = h.position(i);
      time[i] = h.timeMillis(i);
    }
    return new HistoryColumns(item, cat1, cat2, cat3, action, scenario, position, time);
  }

  @Override
  public int size() {
    return item.length;
  }

  @Override
  public int item(int i) {
    return item[i];
  }

  @Override
  public int cat1(int i) {
    return cat1[i];
  }

  @Override
  public int cat2(int i) {
    return cat2[i];
  }

  @Override
  public int cat3(int i) {
    return cat3[i];
  }

  @Override
  public int action(int i) {
    return action[i];
  }

  @Override
  public int scenario(int i) {
    return scenario[i];
  }

  @Override
  public long timeMillis(int i) {
    return time[i];
  }

  @Override
  public int position(int i) {
    return position[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistoryColumns h
        && Arrays.equals(item, h.item)
        && Arrays.equals(cat1, h.cat1)
        && Arrays.equals(cat2, h.cat2)
        && Arrays.equals(cat3, h.cat3)
        && Arrays.equals(action, h.action)
        && Arrays.equals(scenario, h.scenario)
        && Arrays.equals(position, h.position)
        && Arrays.equals(time, h.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(item), Arrays.hashCode(position), Arrays.hashCode(time));
  }

  @Override
  public String toString() {
    return "HistoryColumns" + Arrays.toString(item);
  }
}
