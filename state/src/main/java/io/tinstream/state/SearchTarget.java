package io.tinstream.state;

import io.tinstream.schemas.ItemFields;

/**
 * What the search stage needs to know about a candidate ad: its categories, the scenario of the
 * request and the request time {@code t_a}. Unknown categories are {@link Behavior#UNKNOWN}.
 */
public record SearchTarget(
    int categoryL1, int categoryL2, int categoryL3, int scenario, long time) {

  public static SearchTarget of(ItemFields item, int scenario, long time) {
    return new SearchTarget(
        Behavior.orUnknown(item.getCategoryL1()),
        Behavior.orUnknown(item.getCategoryL2()),
        Behavior.orUnknown(item.getCategoryL3()),
        scenario,
        time);
  }

  /** The target's category at one level of the taxonomy. */
  public int category(CategoryLevel level) {
    return switch (level) {
      case L1 -> categoryL1;
      case L2 -> categoryL2;
      case L3 -> categoryL3;
    };
  }
}
