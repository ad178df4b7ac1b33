package io.tinstream.state.internal;

import java.io.DataInput;
import java.io.IOException;

/**
 * Reader of the first chunk format, kept so state written by it can be restored (and migrated to
 * the current format). Layout: {@code int n}, then one fixed-width column after another in the
 * field order of {@link io.tinstream.state.Behavior}: int eventIdHash, long eventTime, byte domain,
 * byte actionType, int scenario, float actionDetail, long itemId, long creativeId, long productId,
 * long spuId, int categoryL1, int categoryL2, int categoryL3, int marketingTarget, long
 * advertiserId, int industryId. About 82 bytes per behavior. Frozen: never change it.
 */
public final class ChunkFormatV1 {
  public static final int VERSION = 1;

  private ChunkFormatV1() {}

  public static BehaviorColumns read(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("Corrupt v1 trajectory chunk: negative size " + n);
    }
    BehaviorColumns c = new BehaviorColumns(n);
    readInts(in, c.eventIdHashes);
    readLongs(in, c.eventTimes);
    in.readFully(c.domains);
    in.readFully(c.actionTypes);
    readInts(in, c.scenarios);
    for (int i = 0; i < n; i++) {
      c.actionDetails[i] = in.readFloat();
    }
    readLongs(in, c.itemIds);
    readLongs(in, c.creativeIds);
    readLongs(in, c.productIds);
    readLongs(in, c.spuIds);
    readInts(in, c.categoryL1);
    readInts(in, c.categoryL2);
    readInts(in, c.categoryL3);
    readInts(in, c.marketingTargets);
    readLongs(in, c.advertiserIds);
    readInts(in, c.industryIds);
    return c;
  }

  private static void readInts(DataInput in, int[] column) throws IOException {
    for (int i = 0; i < column.length; i++) {
      column[i] = in.readInt();
    }
  }

  private static void readLongs(DataInput in, long[] column) throws IOException {
    for (int i = 0; i < column.length; i++) {
      column[i] = in.readLong();
    }
  }
}
