package io.tinstream.models.embedding;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The id -> row mappings of one model, one per categorical field, sharing one change sequence: its
 * {@link #version()} names the state of all fields together, which is what a model update ships (a
 * full snapshot, or a delta since the version the last update carried; see {@link
 * IdRowMappingsFormat}).
 */
public final class IdRowMappings {
  private final Sequence sequence;
  private final Map<String, IdRowMapping> fields;

  private IdRowMappings(Sequence sequence, Map<String, IdRowMapping> fields) {
    this.sequence = sequence;
    this.fields = Collections.unmodifiableMap(fields);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The mapping of {@code name}; an unknown name is a configuration error. */
  public IdRowMapping field(String name) {
    IdRowMapping m = fields.get(name);
    if (m == null) {
      throw new IllegalArgumentException(
          "no id-row mapping for field '" + name + "'; fields: " + fields.keySet());
    }
    return m;
  }

  /** Field names in the order they were configured (the order they are written). */
  public Set<String> fieldNames() {
    return fields.keySet();
  }

  /** Sequence number of the latest admission or expiry in any field; 0 for a fresh holder. */
  public long version() {
    return sequence.current();
  }

  /** Expires every field; only fields that freed rows appear, in field order. */
  public Map<String, ExpiredRows> expire(long nowMs) {
    Map<String, ExpiredRows> out = new LinkedHashMap<>();
    for (Map.Entry<String, IdRowMapping> e : fields.entrySet()) {
      ExpiredRows x = e.getValue().expire(nowMs);
      if (!x.isEmpty()) {
        out.put(e.getKey(), x);
      }
    }
    return out;
  }

  public Map<String, MappingCounters> counters() {
    Map<String, MappingCounters> out = new LinkedHashMap<>();
    fields.forEach((name, m) -> out.put(name, m.counters()));
    return out;
  }

  /** Same fields, and each field maps every id to the same row. */
  public boolean sameRowsAs(IdRowMappings other) {
    if (!fields.keySet().equals(other.fields.keySet())) {
      return false;
    }
    for (Map.Entry<String, IdRowMapping> e : fields.entrySet()) {
      if (!e.getValue().sameRowsAs(other.fields.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  public long heapBytes() {
    long b = 0;
    for (IdRowMapping m : fields.values()) {
      b += m.heapBytes();
    }
    return b;
  }

  Sequence sequence() {
    return sequence;
  }

  Map<String, IdRowMapping> fields() {
    return fields;
  }

  /** Fields in the order given; names must be distinct and non-empty. */
  public static final class Builder {
    private final Map<String, IdRowMappingConfig> configs = new LinkedHashMap<>();
    private long startVersion;

    private Builder() {}

    public Builder field(String name, IdRowMappingConfig config) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("field name must be non-empty");
      }
      if (configs.putIfAbsent(name, config) != null) {
        throw new IllegalArgumentException("field '" + name + "' is configured twice");
      }
      return this;
    }

    /** The version a restored holder starts at (its snapshot's). */
    Builder startVersion(long version) {
      this.startVersion = version;
      return this;
    }

    public IdRowMappings build() {
      if (configs.isEmpty()) {
        throw new IllegalArgumentException("an id-row mapping holder needs at least one field");
      }
      Sequence seq = new Sequence(startVersion);
      Map<String, IdRowMapping> fields = new LinkedHashMap<>();
      configs.forEach((name, c) -> fields.put(name, new IdRowMapping(c, seq)));
      return new IdRowMappings(seq, fields);
    }
  }
}
