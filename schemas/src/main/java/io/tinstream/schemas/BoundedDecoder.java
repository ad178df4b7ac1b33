package io.tinstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one record's bytes that refuses a declared length the bytes left cannot
 * hold, before the reader allocates for it: a string or bytes value longer than what is left, or a
 * collection block of more items than bytes left (every item of every tinstream schema takes at
 * least one byte). Avro's own limits only stop lengths near 2^31, which still means gigabytes per
 * record.
 */
final class BoundedDecoder extends Decoder {

  /** An unsynchronized stream over the record, so what is left is always known exactly. */
  private static final class Bytes extends InputStream {
    private final byte[] bytes;
    private int pos;

    Bytes(byte[] bytes, int offset) {
      this.bytes = bytes;
      this.pos = offset;
    }

    @Override
    public int read() {
      return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      int n = Math.min(len, bytes.length - pos);
      if (n <= 0) {
        return -1;
      }
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long skipped = Math.max(0, Math.min(n, bytes.length - pos));
      pos += (int) skipped;
      return skipped;
    }

    @Override
    public int available() {
      return bytes.length - pos;
    }
  }

  private final Bytes source;
  private final BinaryDecoder in;

  BoundedDecoder(byte[] bytes, int offset) {
    this.source = new Bytes(bytes, offset);
    // Direct: no read-ahead buffer, so the stream's position is the decoder's.
    this.in = DecoderFactory.get().directBinaryDecoder(source, null);
  }

  /** Bytes not consumed yet. */
  int remaining() {
    return source.available();
  }

  private int length(String what) throws IOException {
    long length = in.readLong();
    if (length < 0) {
      throw new IOException(what + " length is negative: " + length);
    }
    if (length > remaining()) {
      throw new IOException(
          what + " length " + length + " exceeds the " + remaining() + " bytes left in the record");
    }
    return (int) length;
  }

  /** A block's item count; a negative count is followed by the block's size in bytes. */
  private long items(long count) throws IOException {
    long n = count;
    if (n < 0) {
      if (n == Long.MIN_VALUE) {
        throw new IOException("collection block count out of range: " + n);
      }
      n = -n;
    }
    if (n > remaining()) {
      throw new IOException(
          "collection of " + n + " items exceeds the " + remaining() + " bytes left in the record");
    }
    return n;
  }

  private long block() throws IOException {
    long count = in.readLong();
    long n = items(count);
    if (count < 0) {
      in.readLong();
    }
    return n;
  }

  @Override
  public void readNull() throws IOException {
    in.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return in.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return in.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return in.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return in.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return in.readDouble();
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = length("string");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    if (length > 0) {
      in.readFixed(result.getBytes(), 0, length);
    }
    return result;
  }

  @Override
  public String readString() throws IOException {
    return readString(null).toString();
  }

  @Override
  public void skipString() throws IOException {
    in.skipFixed(length("string"));
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = length("bytes");
    ByteBuffer result;
    if (old != null && length <= old.capacity()) {
      result = old;
      result.clear();
    } else {
      result = ByteBuffer.allocate(length);
    }
    in.readFixed(result.array(), result.position(), length);
    result.limit(length);
    return result;
  }

  @Override
  public void skipBytes() throws IOException {
    in.skipFixed(length("bytes"));
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    in.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    in.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return in.readEnum();
  }

  @Override
  public long readArrayStart() throws IOException {
    return block();
  }

  @Override
  public long arrayNext() throws IOException {
    return block();
  }

  @Override
  public long skipArray() throws IOException {
    return items(in.skipArray());
  }

  @Override
  public long readMapStart() throws IOException {
    return block();
  }

  @Override
  public long mapNext() throws IOException {
    return block();
  }

  @Override
  public long skipMap() throws IOException {
    return items(in.skipMap());
  }

  @Override
  public int readIndex() throws IOException {
    return in.readIndex();
  }
}
