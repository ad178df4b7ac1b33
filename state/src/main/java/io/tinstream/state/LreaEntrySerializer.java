package io.tinstream.state;

import io.tinstream.state.internal.FormatVersionedSnapshot;
import io.tinstream.state.internal.ImmutableValueSerializer;
import io.tinstream.state.internal.Varints;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Keyed-state serializer of {@link LreaEntry}, format {@value #CURRENT_VERSION}: one byte format
 * version (also in the bytes, so a value can be told apart without its snapshot); varint {@code d};
 * varint {@code r}; 8-byte model run epoch; 8-byte model version; varint trajectory length; signed
 * varint appended count; 8-byte newest event time; then {@code d·r} floats of {@code E_comp} and
 * {@code d·r} of {@code E_aux}, 4 bytes each. Size: {@code 8·d·r} bytes plus a header of at most
 * {@value #MAX_HEADER_BYTES}.
 *
 * <p>Format 1 (no epoch, appended count or newest time; otherwise the same layout) still reads: as
 * epoch 0, an unknown appended count (so the entry counts as stale) and an unknown newest time.
 */
public final class LreaEntrySerializer extends ImmutableValueSerializer<LreaEntry> {
  private static final long serialVersionUID = 1L;

  public static final int CURRENT_VERSION = 2;

  /** Entries before the run epoch and the appended count existed. */
  static final int VERSION_1 = 1;

  public static final int MAX_HEADER_BYTES = 1 + 5 + 5 + 8 + 8 + 5 + 10 + 8;
  public static final LreaEntrySerializer INSTANCE = new LreaEntrySerializer();

  @Override
  public void serialize(LreaEntry e, DataOutputView out) throws IOException {
    out.writeByte(CURRENT_VERSION);
    Varints.writeNonNegativeInt(out, e.dim());
    Varints.writeNonNegativeInt(out, e.rank());
    LreaEntry.Stamp st = e.stamp();
    out.writeLong(st.modelEpoch());
    out.writeLong(st.modelVersion());
    Varints.writeNonNegativeInt(out, st.trajectoryLength());
    Varints.writeSigned(out, st.appendedCount());
    out.writeLong(st.newestEventTime());
    for (float v : e.eComp()) {
      out.writeFloat(v);
    }
    for (float v : e.eAux()) {
      out.writeFloat(v);
    }
  }

  @Override
  public LreaEntry deserialize(DataInputView in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != CURRENT_VERSION && version != VERSION_1) {
      throw new IOException(
          "LREA entry format "
              + version
              + " not readable; this code reads "
              + VERSION_1
              + " to "
              + CURRENT_VERSION);
    }
    int d = Varints.readNonNegativeInt(in);
    int r = Varints.readNonNegativeInt(in);
    LreaEntry.Stamp stamp;
    if (version == VERSION_1) {
      long modelVersion = in.readLong();
      int length = Varints.readNonNegativeInt(in);
      // Unknown appended count: stale for every check, so the next use rebuilds it.
      stamp = new LreaEntry.Stamp(0, modelVersion, length, -1, Long.MAX_VALUE);
    } else {
      long epoch = in.readLong();
      long modelVersion = in.readLong();
      int length = Varints.readNonNegativeInt(in);
      long appended = Varints.readSigned(in);
      long newest = in.readLong();
      stamp = new LreaEntry.Stamp(epoch, modelVersion, length, appended, newest);
    }
    if (d <= 0 || r <= 0 || (long) d * r > (1 << 24)) {
      throw new IOException("Corrupt LREA entry: d=" + d + ", r=" + r);
    }
    float[] comp = new float[d * r];
    float[] aux = new float[d * r];
    for (int i = 0; i < comp.length; i++) {
      comp[i] = in.readFloat();
    }
    for (int i = 0; i < aux.length; i++) {
      aux[i] = in.readFloat();
    }
    return new LreaEntry(d, r, stamp, comp, aux);
  }

  @Override
  public LreaEntry createInstance() {
    return null;
  }

  @Override
  public TypeSerializerSnapshot<LreaEntry> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Versioned snapshot: format {@value #CURRENT_VERSION}, reads format 1 too. */
  public static final class Snapshot extends FormatVersionedSnapshot<LreaEntry> {
    public Snapshot() {
      super(CURRENT_VERSION, VERSION_1);
    }

    @Override
    protected TypeSerializer<LreaEntry> serializerFor(int formatVersion) {
      // One serializer reads both formats: the version byte of each value says which.
      return INSTANCE;
    }
  }
}
