package io.tinstream.streaming.scoring;

import io.tinstream.models.ModelParams;
import io.tinstream.schemas.AdRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;

/**
 * Writes {@link ScoringWork} as primitive columns: the request through its Avro serializer (so its
 * schema evolves as Avro allows), its arrival and produce times, then each distinct history (one
 * named id column per field, positions, times) and one history index per candidate. It writes the
 * layout of {@link ScoringWorkSerializerSnapshot#CURRENT_VERSION}; one restored from an older
 * snapshot reads that snapshot's layout (version 1 has no produce time: the arrival time stands in
 * for it; versions 1 and 2 hold six unnamed id columns: the other fields read as unknown), so Flink
 * migrates the waiting work of an older checkpoint. A change of layout needs a new snapshot version
 * that still reads the older ones.
 */
public final class ScoringWorkSerializer extends TypeSerializer<ScoringWork> {
  private static final long serialVersionUID = 1L;

  /** The id columns of layouts 1 and 2, in their order; other fields read as unknown. */
  private static final List<ModelParams.Field> LAYOUT_2_FIELDS =
      List.of(
          ModelParams.Field.ITEM,
          ModelParams.Field.CAT1,
          ModelParams.Field.CAT2,
          ModelParams.Field.CAT3,
          ModelParams.Field.ACTION,
          ModelParams.Field.SCENARIO);

  private static final Map<String, ModelParams.Field> FIELDS_BY_KEY =
      Arrays.stream(ModelParams.Field.values())
          .collect(Collectors.toUnmodifiableMap(ModelParams.Field::key, f -> f));

  private final TypeSerializer<AdRequest> requestSerializer;

  /** The layout read (and written, by a serializer of the current one); see the snapshot. */
  private final int layout;

  public ScoringWorkSerializer() {
    this(new AvroSerializer<>(AdRequest.class));
  }

  ScoringWorkSerializer(TypeSerializer<AdRequest> requestSerializer) {
    this(requestSerializer, ScoringWorkSerializerSnapshot.CURRENT_VERSION);
  }

  ScoringWorkSerializer(TypeSerializer<AdRequest> requestSerializer, int layout) {
    if (layout < 1 || layout > ScoringWorkSerializerSnapshot.CURRENT_VERSION) {
      throw new IllegalArgumentException("unknown ScoringWork layout " + layout);
    }
    this.requestSerializer = requestSerializer;
    this.layout = layout;
  }

  int layout() {
    return layout;
  }

  TypeSerializer<AdRequest> requestSerializer() {
    return requestSerializer;
  }

  @Override
  public boolean isImmutableType() {
    // The Avro request inside is mutable.
    return false;
  }

  @Override
  public TypeSerializer<ScoringWork> duplicate() {
    // Avro's serializer keeps per-thread encoders: a duplicate must not share them.
    TypeSerializer<AdRequest> d = requestSerializer.duplicate();
    return d == requestSerializer ? this : new ScoringWorkSerializer(d, layout);
  }

  @Override
  public ScoringWork createInstance() {
    // Never reused (deserialize ignores reuse); Flink only wants an instance of the type.
    AdRequest empty = requestSerializer.createInstance();
    empty.setCandidates(new ArrayList<>());
    return new ScoringWork(empty, 0, 0, 0, List.of(), new int[0]);
  }

  @Override
  public ScoringWork copy(ScoringWork from) {
    return from.withRequest(requestSerializer.copy(from.request()));
  }

  @Override
  public ScoringWork copy(ScoringWork from, ScoringWork reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(ScoringWork work, DataOutputView out) throws IOException {
    requestSerializer.serialize(work.request(), out);
    out.writeLong(work.arrivedAt());
    if (layout >= 2) {
      out.writeLong(work.producedAt());
    }
    out.writeInt(work.trajectoryLength());
    List<HistoryColumns> histories = work.distinctHistories();
    out.writeInt(histories.size());
    for (HistoryColumns h : histories) {
      out.writeInt(h.size());
      if (layout >= 3) {
        // Each column under its field's name: a reader knows which fields were written, so a
        // field added later reads as unknown and one dropped is skipped.
        out.writeInt(ModelParams.Field.values().length);
        for (ModelParams.Field f : ModelParams.Field.values()) {
          out.writeUTF(f.key());
          writeInts(h.column(f), out);
        }
      } else {
        for (ModelParams.Field f : LAYOUT_2_FIELDS) {
          writeInts(h.column(f), out);
        }
      }
      writeInts(h.position, out);
      for (long t : h.time) {
        out.writeLong(t);
      }
    }
    out.writeInt(work.candidates());
    for (int c = 0; c < work.candidates(); c++) {
      out.writeInt(work.historyIndex(c));
    }
  }

  @Override
  public ScoringWork deserialize(DataInputView in) throws IOException {
    AdRequest request = requestSerializer.deserialize(in);
    long arrivedAt = in.readLong();
    long producedAt = layout >= 2 ? in.readLong() : arrivedAt;
    int trajectoryLength = in.readInt();
    int count = in.readInt();
    List<HistoryColumns> histories = new ArrayList<>(count);
    for (int h = 0; h < count; h++) {
      int n = in.readInt();
      int[][] ids = new int[ModelParams.Field.values().length][];
      if (layout >= 3) {
        int columns = in.readInt();
        for (int c = 0; c < columns; c++) {
          ModelParams.Field f = FIELDS_BY_KEY.get(in.readUTF());
          int[] column = readInts(n, in);
          if (f != null) {
            ids[f.ordinal()] = column;
          }
        }
      } else {
        for (ModelParams.Field f : LAYOUT_2_FIELDS) {
          ids[f.ordinal()] = readInts(n, in);
        }
      }
      for (int f = 0; f < ids.length; f++) {
        if (ids[f] == null) {
          ids[f] = new int[n];
          Arrays.fill(ids[f], -1);
        }
      }
      int[] position = readInts(n, in);
      long[] time = new long[n];
      for (int i = 0; i < n; i++) {
        time[i] = in.readLong();
      }
      histories.add(new HistoryColumns(ids, position, time));
    }
    int[] historyOf = readInts(in.readInt(), in);
    return new ScoringWork(request, arrivedAt, producedAt, trajectoryLength, histories, historyOf);
  }

  @Override
  public ScoringWork deserialize(ScoringWork reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  private static void writeInts(int[] values, DataOutputView out) throws IOException {
    for (int v : values) {
      out.writeInt(v);
    }
  }

  private static int[] readInts(int n, DataInputView in) throws IOException {
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScoringWorkSerializer s
        && layout == s.layout
        && requestSerializer.equals(s.requestSerializer);
  }

  @Override
  public int hashCode() {
    return 31 * requestSerializer.hashCode() + layout;
  }

  @Override
  public TypeSerializerSnapshot<ScoringWork> snapshotConfiguration() {
    return new ScoringWorkSerializerSnapshot(this);
  }
}
