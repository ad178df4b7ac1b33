package io.tinstream.training.features;

import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.batch.Trajectory;
import java.util.List;

/**
 * The behaviors of one batch row, oldest first, whatever holds them (the offline task's columns, a
 * trajectory view in keyed state, a sequence carried by the stream), each with its true position
 * before the target (1 = most recent). {@link BatchBuilder} writes rows from this alone, so every
 * path fills {@code Batch} columns the same way.
 */
public interface RowHistory {

  int size();

  int item(int i);

  int cat1(int i);

  int cat2(int i);

  int cat3(int i);

  int action(int i);

  int scenario(int i);

  long timeMillis(int i);

  int position(int i);

  RowHistory EMPTY = of(TrajectoryView.EMPTY);

  /**
   * A whole view (e.g. a user's trajectory before a request), positions counted back from its end.
   */
  static RowHistory of(TrajectoryView view) {
    return selected(view, null);
  }

  /**
   * The behaviors of {@code past} at ascending {@code indices} (all of it when null), each keeping
   * its distance to the end of {@code past} as its position.
   */
  static RowHistory selected(TrajectoryView past, int[] indices) {
    return new RowHistory() {
      private int at(int i) {
        return indices == null ? i : indices[i];
      }

      @Override
      public int size() {
        return indices == null ? past.size() : indices.length;
      }

      @Override
      public int item(int i) {
        return BatchBuilder.rawId(past.itemId(at(i)));
      }

      @Override
      public int cat1(int i) {
        return past.categoryL1(at(i));
      }

      @Override
      public int cat2(int i) {
        return past.categoryL2(at(i));
      }

      @Override
      public int cat3(int i) {
        return past.categoryL3(at(i));
      }

      @Override
      public int action(int i) {
        return past.actionType(at(i));
      }

      @Override
      public int scenario(int i) {
        return past.scenario(at(i));
      }

      @Override
      public long timeMillis(int i) {
        return past.eventTime(at(i));
      }

      @Override
      public int position(int i) {
        return past.size() - at(i);
      }
    };
  }

  /**
   * Behaviors {@code [0, end)} of an offline trajectory at ascending {@code indices} (each below
   * {@code end}), positions {@code end - index}.
   */
  static RowHistory selected(Trajectory t, int end, int[] indices) {
    for (int j = 0; j < indices.length; j++) {
      int i = indices[j];
      if (i < 0 || i >= end || (j > 0 && i <= indices[j - 1])) {
        throw new IllegalArgumentException("selected indices must ascend below " + end + ": " + i);
      }
    }
    return new RowHistory() {
      @Override
      public int size() {
        return indices.length;
      }

      @Override
      public int item(int i) {
        return t.item()[indices[i]];
      }

      @Override
      public int cat1(int i) {
        return t.cat1()[indices[i]];
      }

      @Override
      public int cat2(int i) {
        return t.cat2()[indices[i]];
      }

      @Override
      public int cat3(int i) {
        return t.cat3()[indices[i]];
      }

      @Override
      public int action(int i) {
        return t.action()[indices[i]];
      }

      @Override
      public int scenario(int i) {
        return t.scenario()[indices[i]];
      }

      @Override
      public long timeMillis(int i) {
        return t.timeSec()[indices[i]] * 1000L;
      }

      @Override
      public int position(int i) {
        return end - indices[i];
      }
    };
  }

  /**
   * A sequence carried by the stream; its positions when it has them (a searched subsequence keeps
   * its true ones), otherwise counted back from its end.
   */
  static RowHistory of(BehaviorSequence s) {
    List<Long> times = s.getEventTimes();
    List<Integer> positions = s.getPositions();
    boolean truePositions = positions.size() == times.size();
    return new RowHistory() {
      @Override
      public int size() {
        return times.size();
      }

      @Override
      public int item(int i) {
        return BatchBuilder.rawId(s.getItemIds().get(i));
      }

      @Override
      public int cat1(int i) {
        return s.getCategoryL1().get(i);
      }

      @Override
      public int cat2(int i) {
        return s.getCategoryL2().get(i);
      }

      @Override
      public int cat3(int i) {
        return s.getCategoryL3().get(i);
      }

      @Override
      public int action(int i) {
        return s.getActionTypes().get(i);
      }

      @Override
      public int scenario(int i) {
        return s.getScenarios().get(i);
      }

      @Override
      public long timeMillis(int i) {
        return times.get(i);
      }

      @Override
      public int position(int i) {
        return truePositions ? positions.get(i) : times.size() - i;
      }
    };
  }
}
