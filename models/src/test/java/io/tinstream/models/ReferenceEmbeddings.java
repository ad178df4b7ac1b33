package io.tinstream.models;

import io.tinstream.models.internal.FeedEncoder;

/**
 * Plain-Java sums of a model's field tables (read from the trained variables) over the rows {@link
 * FeedEncoder} feeds, for reference implementations: {@code e_i} of every behavior slot and {@code
 * v_t} of every target, optionally with the temporal encoding {@code P_pos[pos] + P_dt[dt]} (and
 * {@code P_pos[0] + P_dt[0]} for the target).
 */
final class ReferenceEmbeddings {
  /** {@code [B][L][d]}, padded slots included (their rows are the reserved row 0). */
  final double[][][] behaviors;

  /** {@code [B][d]}. */
  final double[][] targets;

  private ReferenceEmbeddings(double[][][] behaviors, double[][] targets) {
    this.behaviors = behaviors;
    this.targets = targets;
  }

  /**
   * {@code tablePrefix + field.key()} of every field and, when {@code temporalPrefix} is not null,
   * {@code temporalPrefix + P_pos|P_dt}.
   */
  static ReferenceEmbeddings of(
      TfCtrModel m, Batch batch, String tablePrefix, String temporalPrefix) {
    FeedEncoder.Encoded enc = FeedEncoder.encode(m.params(), batch, m.fieldRows());
    int d = m.read(tablePrefix + "item").length / m.params().rows(ModelParams.Field.ITEM);
    double[][][] e = new double[batch.size][batch.maxLen][d];
    double[][] v = new double[batch.size][d];
    for (ModelParams.Field f : ModelParams.Field.values()) {
      addRows(e, m.read(tablePrefix + f.key()), enc.ints.get(FeedEncoder.hist(f)), d);
    }
    for (ModelParams.Field f : ModelParams.Field.targetFields()) {
      float[] table = m.read(tablePrefix + f.key());
      int[] rows = enc.ints.get(FeedEncoder.target(f));
      for (int r = 0; r < batch.size; r++) {
        addRow(v[r], table, rows[r], d);
      }
    }
    if (temporalPrefix != null) {
      float[] pos = m.read(temporalPrefix + "P_pos");
      float[] dt = m.read(temporalPrefix + "P_dt");
      addRows(e, pos, enc.ints.get(FeedEncoder.HIST_POS), d);
      addRows(e, dt, enc.ints.get(FeedEncoder.HIST_DT), d);
      for (int r = 0; r < batch.size; r++) {
        addRow(v[r], pos, 0, d);
        addRow(v[r], dt, 0, d);
      }
    }
    return new ReferenceEmbeddings(e, v);
  }

  private static void addRows(double[][][] e, float[] table, int[] rows, int d) {
    for (int r = 0; r < e.length; r++) {
      for (int j = 0; j < e[r].length; j++) {
        addRow(e[r][j], table, rows[r * e[r].length + j], d);
      }
    }
  }

  private static void addRow(double[] acc, float[] table, int row, int d) {
    for (int c = 0; c < d; c++) {
      acc[c] += table[row * d + c];
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int c = 0; c < a.length; c++) {
      s += a[c] * b[c];
    }
    return s;
  }
}
