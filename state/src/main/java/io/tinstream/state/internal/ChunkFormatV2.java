package io.tinstream.state.internal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The current chunk format: about 10-16 bytes per behavior instead of v1's 82.
 *
 * <pre>
 * varint n                                   behaviors; nothing follows when 0
 * varint d                                   distinct items in the dictionary
 * d x item: itemId, creativeId, productId, spuId, advertiserId,
 *           categoryL1, categoryL2, categoryL3, marketingTarget, industryId
 *           each as varint(id + 1), so the unknown id -1 is one byte
 * n x behavior, oldest first:
 *   time       zigzag varint of the first event time, then varint of the gap to the previous
 *   int        eventIdHash, 4 bytes big-endian (a hash does not compress)
 *   byte       actionType (bits 0-3) | domain (bits 4-5) | actionDetail encoding (bits 6-7)
 *   varint     dictionary index of the item
 *   varint     zigzag scenario
 *   detail     encoding 0: 0.0 (no bytes); 1: whole number in [1, 2^24] as varint; 2: float bits
 * </pre>
 *
 * The dictionary is ordered by how often an item occurs in the chunk, so frequent items get
 * one-byte indices. Items are equal when all ten fields are equal: if the taxonomy fills a field
 * later, the item gets a second entry rather than rewriting older behaviors.
 */
public final class ChunkFormatV2 {
  public static final int VERSION = 2;

  private static final int DETAIL_ZERO = 0;
  private static final int DETAIL_WHOLE = 1;
  private static final int DETAIL_FLOAT = 2;
  private static final float MAX_EXACT_WHOLE = 1 << 24;

  private ChunkFormatV2() {}

  public static void write(BehaviorColumns c, DataOutput out) throws IOException {
    int n = c.length();
    Varints.writeNonNegativeInt(out, n);
    if (n == 0) {
      return;
    }
    ItemDictionary dictionary = ItemDictionary.build(c);
    Varints.writeNonNegativeInt(out, dictionary.size());
    for (int entry = 0; entry < dictionary.size(); entry++) {
      int row = dictionary.representativeRow(entry);
      Varints.writeLongId(out, c.itemIds[row]);
      Varints.writeLongId(out, c.creativeIds[row]);
      Varints.writeLongId(out, c.productIds[row]);
      Varints.writeLongId(out, c.spuIds[row]);
      Varints.writeLongId(out, c.advertiserIds[row]);
      Varints.writeIntId(out, c.categoryL1[row]);
      Varints.writeIntId(out, c.categoryL2[row]);
      Varints.writeIntId(out, c.categoryL3[row]);
      Varints.writeIntId(out, c.marketingTargets[row]);
      Varints.writeIntId(out, c.industryIds[row]);
    }
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        Varints.writeSigned(out, c.eventTimes[0]);
      } else {
        Varints.writeUnsigned(out, c.eventTimes[i] - c.eventTimes[i - 1]);
      }
      out.writeInt(c.eventIdHashes[i]);
      int detailEncoding = detailEncoding(c.actionDetails[i]);
      out.writeByte(packFlags(c.actionTypes[i], c.domains[i], detailEncoding));
      Varints.writeNonNegativeInt(out, dictionary.entryOfRow(i));
      Varints.writeSigned(out, c.scenarios[i]);
      if (detailEncoding == DETAIL_WHOLE) {
        Varints.writeNonNegativeInt(out, (int) c.actionDetails[i]);
      } else if (detailEncoding == DETAIL_FLOAT) {
        out.writeInt(Float.floatToRawIntBits(c.actionDetails[i]));
      }
    }
  }

  public static BehaviorColumns read(DataInput in) throws IOException {
    int n = Varints.readNonNegativeInt(in);
    BehaviorColumns c = new BehaviorColumns(n);
    if (n == 0) {
      return c;
    }
    int d = Varints.readNonNegativeInt(in);
    if (d == 0 || d > n) {
      throw new IOException("Corrupt v2 trajectory chunk: " + d + " items for " + n + " behaviors");
    }
    BehaviorColumns items = new BehaviorColumns(d);
    for (int entry = 0; entry < d; entry++) {
      items.itemIds[entry] = Varints.readLongId(in);
      items.creativeIds[entry] = Varints.readLongId(in);
      items.productIds[entry] = Varints.readLongId(in);
      items.spuIds[entry] = Varints.readLongId(in);
      items.advertiserIds[entry] = Varints.readLongId(in);
      items.categoryL1[entry] = Varints.readIntId(in);
      items.categoryL2[entry] = Varints.readIntId(in);
      items.categoryL3[entry] = Varints.readIntId(in);
      items.marketingTargets[entry] = Varints.readIntId(in);
      items.industryIds[entry] = Varints.readIntId(in);
    }
    for (int i = 0; i < n; i++) {
      c.eventTimes[i] =
          i == 0 ? Varints.readSigned(in) : c.eventTimes[i - 1] + Varints.readUnsigned(in);
      c.eventIdHashes[i] = in.readInt();
      int flags = in.readUnsignedByte();
      c.actionTypes[i] = (byte) (flags & 0x0F);
      c.domains[i] = (byte) ((flags >>> 4) & 0x03);
      int entry = Varints.readNonNegativeInt(in);
      if (entry >= d) {
        throw new IOException("Corrupt v2 trajectory chunk: item index " + entry + " of " + d);
      }
      c.setItem(i, items, entry);
      c.scenarios[i] = (int) Varints.readSigned(in);
      c.actionDetails[i] = readDetail(flags >>> 6, in);
    }
    return c;
  }

  private static int packFlags(byte actionType, byte domain, int detailEncoding) {
    if (actionType > 0x0F || domain > 0x03) {
      throw new IllegalArgumentException(
          "Trajectory chunk format v2 packs action types 0-15 and domains 0-3, got actionType="
              + actionType
              + ", domain="
              + domain
              + "; a larger enum needs a new format version");
    }
    return actionType | domain << 4 | detailEncoding << 6;
  }

  private static int detailEncoding(float detail) {
    if (Float.floatToRawIntBits(detail) == 0) {
      return DETAIL_ZERO;
    }
    if (detail >= 1 && detail <= MAX_EXACT_WHOLE && detail == (float) (int) detail) {
      return DETAIL_WHOLE;
    }
    return DETAIL_FLOAT;
  }

  private static float readDetail(int encoding, DataInput in) throws IOException {
    return switch (encoding) {
      case DETAIL_ZERO -> 0f;
      case DETAIL_WHOLE -> Varints.readNonNegativeInt(in);
      case DETAIL_FLOAT -> Float.intBitsToFloat(in.readInt());
      default -> throw new IOException("Corrupt v2 trajectory chunk: detail encoding " + encoding);
    };
  }

  /** Distinct items of a chunk, most frequent first, found with an open-addressing hash table. */
  private static final class ItemDictionary {
    private final int[] entryOfRow;
    private final int[] representativeRows;

    private ItemDictionary(int[] entryOfRow, int[] representativeRows) {
      this.entryOfRow = entryOfRow;
      this.representativeRows = representativeRows;
    }

    static ItemDictionary build(BehaviorColumns c) {
      int n = c.length();
      int[] entryOfRow = new int[n];
      int[] firstRow = new int[n];
      int[] count = new int[n];
      int entries = 0;
      int mask = Integer.highestOneBit(Math.max(2, n) * 2 - 1) * 2 - 1;
      int[] table = new int[mask + 1];
      Arrays.fill(table, -1);
      for (int row = 0; row < n; row++) {
        int slot = c.itemHash(row) & mask;
        while (table[slot] >= 0 && !c.sameItem(firstRow[table[slot]], c, row)) {
          slot = (slot + 1) & mask;
        }
        if (table[slot] < 0) {
          table[slot] = entries;
          firstRow[entries] = row;
          entries++;
        }
        entryOfRow[row] = table[slot];
        count[table[slot]]++;
      }
      // Sort key: higher count first, then first appearance, so the order is deterministic.
      long[] order = new long[entries];
      for (int e = 0; e < entries; e++) {
        order[e] = (long) (n - count[e]) << 32 | e;
      }
      Arrays.sort(order);
      int[] rank = new int[entries];
      int[] representativeRows = new int[entries];
      for (int r = 0; r < entries; r++) {
        int e = (int) order[r];
        rank[e] = r;
        representativeRows[r] = firstRow[e];
      }
      for (int row = 0; row < n; row++) {
        entryOfRow[row] = rank[entryOfRow[row]];
      }
      return new ItemDictionary(entryOfRow, representativeRows);
    }

    int size() {
      return representativeRows.length;
    }

    int representativeRow(int entry) {
      return representativeRows[entry];
    }

    int entryOfRow(int row) {
      return entryOfRow[row];
    }
  }
}
