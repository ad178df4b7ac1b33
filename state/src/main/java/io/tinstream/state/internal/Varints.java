package io.tinstream.state.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * LEB128 variable-length integers (7 bits per byte, low bits first) for the compact state formats.
 *
 * <p>Ids use {@code id + 1} as an unsigned number, so the unknown id {@code -1} takes one byte and
 * catalogue ids take as few bytes as their magnitude needs.
 */
public final class Varints {
  private Varints() {}

  public static void writeUnsigned(DataOutput out, long value) throws IOException {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  public static long readUnsigned(DataInput in) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("Malformed varint: more than 10 bytes");
  }

  public static void writeSigned(DataOutput out, long value) throws IOException {
    writeUnsigned(out, (value << 1) ^ (value >> 63));
  }

  public static long readSigned(DataInput in) throws IOException {
    long zigzag = readUnsigned(in);
    return (zigzag >>> 1) ^ -(zigzag & 1);
  }

  public static void writeNonNegativeInt(DataOutput out, int value) throws IOException {
    writeUnsigned(out, value & 0xFFFFFFFFL);
  }

  public static int readNonNegativeInt(DataInput in) throws IOException {
    long value = readUnsigned(in);
    if (value < 0 || value > Integer.MAX_VALUE) {
      throw new IOException("Expected a non-negative int, got " + value);
    }
    return (int) value;
  }

  public static void writeLongId(DataOutput out, long id) throws IOException {
    writeUnsigned(out, id + 1);
  }

  public static long readLongId(DataInput in) throws IOException {
    return readUnsigned(in) - 1;
  }

  public static void writeIntId(DataOutput out, int id) throws IOException {
    writeUnsigned(out, (id + 1) & 0xFFFFFFFFL);
  }

  public static int readIntId(DataInput in) throws IOException {
    return (int) readUnsigned(in) - 1;
  }
}
