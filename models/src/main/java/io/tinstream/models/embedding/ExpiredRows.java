package io.tinstream.models.embedding;

import java.util.Arrays;

/**
 * Ids that lost their rows in one {@link IdRowMapping#expire} sweep, and those rows: the rows to
 * reinitialize. Each stays flagged in the mapping until it is handed out again, when the {@link
 * Admission} says {@code mustReset}; a trainer may reset here already, the flag is then redundant.
 *
 * @param ids expired ids, {@code ids[i]} held {@code rows[i]}
 * @param rows freed rows, ascending
 */
public record ExpiredRows(int[] ids, int[] rows) {
  public static final ExpiredRows NONE = new ExpiredRows(new int[0], new int[0]);

  public ExpiredRows {
    if (ids.length != rows.length) {
      throw new IllegalArgumentException(
          "ids and rows differ in length: " + ids.length + " vs " + rows.length);
    }
  }

  public int size() {
    return rows.length;
  }

  public boolean isEmpty() {
    return rows.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExpiredRows e && Arrays.equals(ids, e.ids) && Arrays.equals(rows, e.rows);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(rows);
  }

  @Override
  public String toString() {
    return "ExpiredRows{ids=" + Arrays.toString(ids) + ", rows=" + Arrays.toString(rows) + "}";
  }
}
