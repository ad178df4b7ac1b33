package io.tinstream.models;

/**
 * How a model turns a raw id of a categorical field into a row of that field's table: the one place
 * every feed (training, scoring, LREA pairs, SavedModel scoring) asks. Unknown (negative) ids and
 * ids without a row of their own map to {@link FeatureEncoding#RESERVED_ROW}.
 */
@FunctionalInterface
public interface FieldRows {

  int row(ModelParams.Field field, int rawId);

  /** Every id hashed into {@code [1, rows)} of its field's table: ids may share a row. */
  static FieldRows hashed(ModelParams p) {
    return (field, rawId) -> FeatureEncoding.hashRow(rawId, p.rows(field));
  }
}
