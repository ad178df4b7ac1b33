package io.tinstream.state.internal;

/** MurmurHash3 x86 32-bit (Austin Appleby's reference), seed 0. */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  public static int hash32(byte[] data) {
    return hash32(data, 0);
  }

  public static int hash32(byte[] data, int seed) {
    int h = seed;
    int blocks = data.length >>> 2;
    for (int i = 0; i < blocks; i++) {
      int at = i << 2;
      int k =
          (data[at] & 0xff)
              | (data[at + 1] & 0xff) << 8
              | (data[at + 2] & 0xff) << 16
              | (data[at + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = blocks << 2;
    int k = 0;
    switch (data.length & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[tail] & 0xff;
        h ^= mixK(k);
        break;
      default:
        break;
    }
    h ^= data.length;
    return finalMix(h);
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }

  private static int finalMix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
