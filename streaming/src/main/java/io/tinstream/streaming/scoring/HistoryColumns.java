package io.tinstream.streaming.scoring;

import io.tinstream.models.ModelParams;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.RowHistory;
import java.util.Arrays;
import java.util.Objects;

/**
 * One selected history as primitive columns: exactly what {@link RowHistory} (and so the batch
 * builder) reads, nothing else: one raw-id column per {@link ModelParams.Field}, positions and
 * times. Taken from the trajectory once, it crosses the network to the scorer without boxing a
 * behavior field per element. Never mutated after construction: the arrays are owned here and
 * shared by copies of the work that carries them.
 */
public final class HistoryColumns implements RowHistory {

  /** Raw ids by field ordinal. */
  final int[][] ids;

  final int[] position;
  final long[] time;

  /**
   * Takes ownership of the arrays, which must all have the same length; {@code ids} holds one
   * column per field, by ordinal.
   */
  HistoryColumns(int[][] ids, int[] position, long[] time) {
    int n = position.length;
    if (ids.length != ModelParams.Field.values().length) {
      throw new IllegalArgumentException(
          "one id column per field expected, got " + ids.length + " columns");
    }
    for (int[] column : ids) {
      if (column.length != n) {
        throw new IllegalArgumentException("history columns of different lengths");
      }
    }
    if (time.length != n) {
      throw new IllegalArgumentException("history columns of different lengths");
    }
    this.ids = ids;
    this.position = position;
    this.time = time;
  }

  /**
   * The behaviors of {@code past} at ascending {@code indices} (all of it when null), positions as
   * in training; the same columns as {@code copyOf(RowHistory.selected(past, indices))}.
   */
  public static HistoryColumns selected(TrajectoryView past, int[] indices) {
    int n = indices == null ? past.size() : indices.length;
    ModelParams.Field[] fields = ModelParams.Field.values();
    int[][] ids = new int[fields.length][n];
    for (ModelParams.Field f : fields) {
      RowHistory.column(past, f, indices, ids[f.ordinal()]);
    }
    int[] position = new int[n];
    long[] time = new long[n];
    for (int i = 0; i < n; i++) {
      int at = indices == null ? i : indices[i];
      position[i] = past.size() - at;
      time[i] = past.eventTime(at);
    }
    return new HistoryColumns(ids, position, time);
  }

  /** A copy of any history, field by field as {@link RowHistory} reads it. */
  public static HistoryColumns copyOf(RowHistory h) {
    int n = h.size();
    ModelParams.Field[] fields = ModelParams.Field.values();
    int[][] ids = new int[fields.length][n];
    int[] position = new int[n];
    long[] time = new long[n];
    for (ModelParams.Field f : fields) {
      int[] column = ids[f.ordinal()];
      for (int i = 0; i < n; i++) {
        column[i] = h.id(f, i);
      }
    }
    for (int i = 0; i < n; i++) {
      position[i] = h.position(i);
      time[i] = h.timeMillis(i);
    }
    return new HistoryColumns(ids, position, time);
  }

  /** The raw-id column of {@code field} (shared, not to be mutated). */
  int[] column(ModelParams.Field field) {
    return ids[field.ordinal()];
  }

  @Override
  public int size() {
    return position.length;
  }

  @Override
  public int id(ModelParams.Field field, int i) {
    return ids[field.ordinal()][i];
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
        && Arrays.deepEquals(ids, h.ids)
        && Arrays.equals(position, h.position)
        && Arrays.equals(time, h.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(column(ModelParams.Field.ITEM)),
        Arrays.hashCode(position),
        Arrays.hashCode(time));
  }

  @Override
  public String toString() {
    return "HistoryColumns" + Arrays.toString(column(ModelParams.Field.ITEM));
  }
}
