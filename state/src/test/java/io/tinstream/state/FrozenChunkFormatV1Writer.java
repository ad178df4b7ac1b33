package io.tinstream.state;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The writer of chunk format v1 exactly as it was released; frozen so tests can produce the bytes
 * that old checkpoints hold. Do not change it.
 */
final class FrozenChunkFormatV1Writer {
  private FrozenChunkFormatV1Writer() {}

  static void write(TrajectoryChunk chunk, DataOutput out) throws IOException {
    int n = chunk.size();
    out.writeInt(n);
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).eventIdHash());
    }
    for (int i = 0; i < n; i++) {
      out.writeLong(chunk.behavior(i).eventTime());
    }
    for (int i = 0; i < n; i++) {
      out.writeByte(chunk.behavior(i).domain());
    }
    for (int i = 0; i < n; i++) {
      out.writeByte(chunk.behavior(i).actionType());
    }
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).scenario());
    }
    for (int i = 0; i < n; i++) {
      out.writeFloat(chunk.behavior(i).actionDetail());
    }
    for (int i = 0; i < n; i++) {
      out.writeLong(chunk.behavior(i).itemId());
    }
    for (int i = 0; i < n; i++) {
      out.writeLong(chunk.behavior(i).creativeId());
    }
    for (int i = 0; i < n; i++) {
      out.writeLong(chunk.behavior(i).productId());
    }
    for (int i = 0; i < n; i++) {
      out.writeLong(chunk.behavior(i).spuId());
    }
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).categoryL1());
    }
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).categoryL2());
    }
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).categoryL3());
    }
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).marketingTarget());
    }
    for (int i = 0; i < n; i++) {
      out.writeLong(chunk.behavior(i).advertiserId());
    }
    for (int i = 0; i < n; i++) {
      out.writeInt(chunk.behavior(i).industryId());
    }
  }
}
