package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import io.tinstream.models.layers.FieldEmbeddings;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The model version that last touched each row of each embedding table, so a delta export carries
 * only the rows (and Adagrad slots) that steps after a given version changed.
 */
public final class TouchedRows {
  /** Which feed columns index which base table. */
  private static final Map<String, String[]> TABLE_FEEDS = tableFeeds();

  private static Map<String, String[]> tableFeeds() {
    Map<String, String[]> m = new LinkedHashMap<>();
    FieldEmbeddings base = FieldEmbeddings.base(1);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      m.put(
          base.table(f),
          f.onTarget()
              ? new String[] {FeedEncoder.hist(f), FeedEncoder.target(f)}
              : new String[] {FeedEncoder.hist(f)});
    }
    m.put("P_pos", new String[] {FeedEncoder.HIST_POS});
    m.put("P_dt", new String[] {FeedEncoder.HIST_DT});
    return Map.copyOf(m);
  }

  private final Map<String, long[]> lastTouched = new LinkedHashMap<>();

  /** Every row starts untouched (version -1). */
  public TouchedRows(Collection<ParamStore.TableParam> tables) {
    for (ParamStore.TableParam t : tables) {
      long[] never = new long[t.rows()];
      Arrays.fill(never, -1L);
      lastTouched.put(t.name(), never);
    }
  }

  /** Records the rows the step that produced {@code version} read from {@code enc}. */
  public void mark(FeedEncoder.Encoded enc, long version) {
    for (Map.Entry<String, long[]> e : lastTouched.entrySet()) {
      long[] touched = e.getValue();
      touched[0] = version; // target temporal rows / padding row
      String[] feeds = TABLE_FEEDS.get(e.getKey());
      if (feeds == null) {
        // A layer's own table (DARE attention, dPE per-category, ...): which rows a step touched
        // is not tracked per feed, so deltas conservatively carry all of its rows.
        Arrays.fill(touched, version);
        continue;
      }
      for (String f : feeds) {
        for (int row : enc.ints.get(f)) {
          touched[row] = version;
        }
      }
    }
  }

  /** Rows of {@code table} touched after {@code sinceVersion}, ascending. */
  public int[] since(String table, long sinceVersion) {
    long[] touched = lastTouched.get(table);
    return IntStream.range(0, touched.length).filter(r -> touched[r] > sinceVersion).toArray();
  }
}
