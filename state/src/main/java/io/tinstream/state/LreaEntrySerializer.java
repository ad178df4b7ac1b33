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
 * varint {@code r}; 8-byte model version; varint trajectory length; then {@code d·r} floats of
 * {@code E_comp} and {@code d·r} of {@code E_aux}, 4 bytes each. Size: {@code 8·d·r} bytes plus a
 * header of at most {@value #MAX_HEADER_BYTES}.
 */
public final class LreaEntrySerializer extends ImmutableValueSerializer<LreaEntry> {
  private static final long serialVersionUID = 1L;

  public static final int CURRENT_VERSION = 1;
  public static final int MAX_HEADER_BYTES = 1 + 5 + 5 + 8 + 5;
  public static final LreaEntrySerializer INSTANCE = new LreaEntrySerializer();

  @Override
  public void serialize(LreaEntry e, DataOutputView out) throws IOException {
    out.writeByte(CURRENT_VERSION);
    Varints.writeNonNegativeInt(out, e.dim());
    Varints.writeNonNegativeInt(out, e.rank());
    out.writeLong(e.modelVersion());
    Varints.writeNonNegativeInt(out, e.trajectoryLength());
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
    if (version != CURRENT_VERSION) {
      throw new IOException(
          "LREA entry format " + version + " not readable; this code reads " + CURRENT_VERSION);
    }
    int d = Varints.readNonNegativeInt(in);
    int r = Varints.readNonNegativeInt(in);
    long modelVersion = in.readLong();
    int length = Varints.readNonNegativeInt(in);
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
    return new LreaEntry(d, r, modelVersion, length, comp, aux);
  }

  @Override
  public LreaEntry createInstance() {
    return null;
  }

  @Override
  public TypeSerializerSnapshot<LreaEntry> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Versioned snapshot; version {@value #CURRENT_VERSION} is the only format so far. */
  public static final class Snapshot extends FormatVersionedSnapshot<LreaEntry> {
    public Snapshot() {
      super(CURRENT_VERSION, CURRENT_VERSION);
    }

    @Override
    protected TypeSerializer<LreaEntry> serializerFor(int formatVersion) {
      return INSTANCE;
    }
  }
}
