package io.tinstream.training.versions;

import io.tinstream.models.CtrModel;
import io.tinstream.models.internal.VariableCodec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables a variant's model holds, with their shapes: what every model update of the variant
 * must fit. Taken from a model built from the variant's configured params (a fresh one, read once),
 * so it is exactly what an import into a replica would accept.
 */
public final class VariableLayout {

  /** An embedding table (with its accumulator) of {@code rows} × {@code dim}. */
  public record Table(int rows, int dim) {}

  private final String variant;
  private final Map<String, long[]> dense;
  private final Map<String, Table> tables;

  private VariableLayout(String variant, Map<String, long[]> dense, Map<String, Table> tables) {
    this.variant = variant;
    this.dense = dense;
    this.tables = tables;
  }

  /** The layout of {@code model}, from a full export of it. */
  public static VariableLayout of(CtrModel model) {
    VariableCodec.Snapshot s = VariableCodec.decode(model.exportVariables());
    Map<String, long[]> dense = new LinkedHashMap<>();
    s.dense().forEach((name, d) -> dense.put(name, d.shape().clone()));
    Map<String, Table> tables = new LinkedHashMap<>();
    s.tables()
        .forEach((name, t) -> tables.put(name, new Table(t.values().length / t.dim(), t.dim())));
    return new VariableLayout(model.name(), dense, tables);
  }

  public String variant() {
    return variant;
  }

  /**
   * Why {@code snapshot} does not fit this layout; null if it does. A full snapshot must hold every
   * variable, whole; a delta every dense variable it carries at its shape and table rows in range.
   */
  String misfit(VariableCodec.Snapshot snapshot) {
    for (Map.Entry<String, VariableCodec.Dense> e : snapshot.dense().entrySet()) {
      long[] expected = dense.get(e.getKey());
      if (expected == null) {
        return "variable " + e.getKey() + " is not one of " + variant + "'s";
      }
      if (!Arrays.equals(expected, e.getValue().shape())) {
        return "variable "
            + e.getKey()
            + " has shape "
            + Arrays.toString(e.getValue().shape())
            + ", "
            + variant
            + "'s configured params give "
            + Arrays.toString(expected);
      }
    }
    for (Map.Entry<String, VariableCodec.Rows> e : snapshot.tables().entrySet()) {
      Table expected = tables.get(e.getKey());
      VariableCodec.Rows rows = e.getValue();
      if (expected == null) {
        return "table " + e.getKey() + " is not one of " + variant + "'s";
      }
      if (rows.dim() != expected.dim()) {
        return "table "
            + e.getKey()
            + " has dim "
            + rows.dim()
            + ", "
            + variant
            + "'s configured params give "
            + expected.dim();
      }
      if (rows.rows() == null) {
        long whole = (long) expected.rows() * expected.dim();
        if (rows.values().length != whole) {
          return "table "
              + e.getKey()
              + " holds "
              + rows.values().length / rows.dim()
              + " rows, "
              + variant
              + "'s configured params give "
              + expected.rows();
        }
      } else {
        for (int r : rows.rows()) {
          if (r < 0 || r >= expected.rows()) {
            return "table "
                + e.getKey()
                + " row "
                + r
                + " out of range [0, "
                + expected.rows()
                + ")";
          }
        }
      }
    }
    if (snapshot.full()) {
      for (String name : dense.keySet()) {
        if (!snapshot.dense().containsKey(name)) {
          return "full snapshot lacks variable " + name;
        }
      }
      for (Map.Entry<String, Table> e : tables.entrySet()) {
        VariableCodec.Rows rows = snapshot.tables().get(e.getKey());
        if (rows == null || rows.rows() != null) {
          return "full snapshot lacks the whole table " + e.getKey();
        }
      }
    }
    return null;
  }
}
