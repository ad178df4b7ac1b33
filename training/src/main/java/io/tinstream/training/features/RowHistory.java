package io.tinstream.training.features;

import io.tinstream.models.FeatureEncoding;
import io.tinstream.models.ModelParams;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.schemas.Domain;
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

  /**
   * The raw id of {@code field} of behavior {@code i}, negative when unknown: 64-bit ids folded by
   * {@link BatchBuilder#rawId}, the action detail as its {@link
   * FeatureEncoding#actionDetailBucket}, the domain as its ordinal ({@link #domainId}).
   */
  int id(ModelParams.Field field, int i);

  long timeMillis(int i);

  int position(int i);

  default int item(int i) {
    return id(ModelParams.Field.ITEM, i);
  }

  default int cat1(int i) {
    return id(ModelParams.Field.CAT1, i);
  }

  default int cat2(int i) {
    return id(ModelParams.Field.CAT2, i);
  }

  default int cat3(int i) {
    return id(ModelParams.Field.CAT3, i);
  }

  default int action(int i) {
    return id(ModelParams.Field.ACTION, i);
  }

  default int scenario(int i) {
    return id(ModelParams.Field.SCENARIO, i);
  }

  RowHistory EMPTY = of(TrajectoryView.EMPTY);

  /**
   * A whole view (e.g. a user's trajectory before a request), positions counted back from its end.
   */
  static RowHistory of(TrajectoryView view) {
    return selected(view, null);
  }

  /** Field {@code field} of behavior {@code i} of a view, as {@link #id} defines it. */
  static int id(TrajectoryView v, ModelParams.Field field, int i) {
    return switch (field) {
      case ITEM -> BatchBuilder.rawId(v.itemId(i));
      case CAT1 -> v.categoryL1(i);
      case CAT2 -> v.categoryL2(i);
      case CAT3 -> v.categoryL3(i);
      case ACTION -> v.actionType(i);
      case SCENARIO -> v.scenario(i);
      case CREATIVE -> BatchBuilder.rawId(v.creativeId(i));
      case PRODUCT -> BatchBuilder.rawId(v.productId(i));
      case SPU -> BatchBuilder.rawId(v.spuId(i));
      case MARKETING_TARGET -> v.marketingTarget(i);
      case ADVERTISER -> BatchBuilder.rawId(v.advertiserId(i));
      case INDUSTRY -> v.industryId(i);
      case ACTION_DETAIL -> FeatureEncoding.actionDetailBucket(v.actionDetail(i));
      case DOMAIN -> domainId(v.domain(i));
    };
  }

  /**
   * {@link #id} of {@code field} for the behaviors of {@code v} at {@code indices} (all of them
   * when null), into {@code out}: the same ids, one field at a time, so a copy of many behaviors
   * reads each column in one loop rather than deciding the field again per behavior.
   */
  static void column(TrajectoryView v, ModelParams.Field field, int[] indices, int[] out) {
    int n = out.length;
    switch (field) {
      case ITEM -> {
        for (int i = 0; i < n; i++) {
          out[i] = BatchBuilder.rawId(v.itemId(indices == null ? i : indices[i]));
        }
      }
      case CREATIVE -> {
        for (int i = 0; i < n; i++) {
          out[i] = BatchBuilder.rawId(v.creativeId(indices == null ? i : indices[i]));
        }
      }
      case PRODUCT -> {
        for (int i = 0; i < n; i++) {
          out[i] = BatchBuilder.rawId(v.productId(indices == null ? i : indices[i]));
        }
      }
      case SPU -> {
        for (int i = 0; i < n; i++) {
          out[i] = BatchBuilder.rawId(v.spuId(indices == null ? i : indices[i]));
        }
      }
      case ADVERTISER -> {
        for (int i = 0; i < n; i++) {
          out[i] = BatchBuilder.rawId(v.advertiserId(indices == null ? i : indices[i]));
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          out[i] = id(v, field, indices == null ? i : indices[i]);
        }
      }
    }
  }

  /** A {@link Domain} ordinal as an id: {@link Domain#UNKNOWN} (and negative) is unknown, -1. */
  static int domainId(int ordinal) {
    return ordinal <= Domain.UNKNOWN.ordinal() ? -1 : ordinal;
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
      public int id(ModelParams.Field field, int i) {
        return RowHistory.id(past, field, at(i));
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
   * {@code end}), positions {@code end - index}. The offline data has only item, categories, action
   * and scenario: every other field is unknown.
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
      public int id(ModelParams.Field field, int i) {
        int at = indices[i];
        return switch (field) {
          case ITEM -> t.item()[at];
          case CAT1 -> t.cat1()[at];
          case CAT2 -> t.cat2()[at];
          case CAT3 -> t.cat3()[at];
          case ACTION -> t.action()[at];
          case SCENARIO -> t.scenario()[at];
          default -> -1;
        };
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
   * its true ones), otherwise counted back from its end. A column it lacks (empty: a record written
   * before the column existed) is unknown for every behavior.
   */
  static RowHistory of(BehaviorSequence s) {
    List<Long> times = s.getEventTimes();
    List<Integer> positions = s.getPositions();
    boolean truePositions = positions.size() == times.size();
    int n = times.size();
    return new RowHistory() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public int id(ModelParams.Field field, int i) {
        return switch (field) {
          case ITEM -> BatchBuilder.rawId(s.getItemIds().get(i));
          case CAT1 -> s.getCategoryL1().get(i);
          case CAT2 -> s.getCategoryL2().get(i);
          case CAT3 -> s.getCategoryL3().get(i);
          case ACTION -> s.getActionTypes().get(i);
          case SCENARIO -> s.getScenarios().get(i);
          case CREATIVE -> longId(s.getCreativeIds(), i);
          case PRODUCT -> longId(s.getProductIds(), i);
          case SPU -> longId(s.getSpuIds(), i);
          case MARKETING_TARGET -> intId(s.getMarketingTargets(), i);
          case ADVERTISER -> longId(s.getAdvertiserIds(), i);
          case INDUSTRY -> intId(s.getIndustryIds(), i);
          case ACTION_DETAIL -> {
            List<Float> d = s.getActionDetails();
            yield d.size() == n ? FeatureEncoding.actionDetailBucket(d.get(i)) : -1;
          }
          case DOMAIN -> domainId(intId(s.getDomains(), i));
        };
      }

      private int longId(List<Long> column, int i) {
        return column.size() == n ? BatchBuilder.rawId(column.get(i)) : -1;
      }

      private int intId(List<Integer> column, int i) {
        return column.size() == n ? column.get(i) : -1;
      }

      @Override
      public long timeMillis(int i) {
        return times.get(i);
      }

      @Override
      public int position(int i) {
        return truePositions ? positions.get(i) : n - i;
      }
    };
  }
}
