package io.tinstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** One corrupt record must cost a refusal with a reason, never an allocation of its claims. */
class AvroCodecLimitsTest {

  /** Far beyond any record, still under Avro's own limit (about 2^31). */
  private static final long HUGE = 2_000_000_000L;

  private static final AdRequest REQUEST =
      AdRequest.newBuilder()
          .setRequestId("r-1")
          .setUserId(7L)
          .setRequestTime(Instant.ofEpochMilli(1_600_000_000_000L))
          .setCandidates(List.of(ItemFields.newBuilder().setItemId(5L).build()))
          .build();

  private final AvroCodec<AdRequest> codec = AvroCodec.adRequests();

  @Test
  void aValidRecordStillRoundTrips() throws Exception {
    assertThat(codec.decode(codec.encode(REQUEST))).isEqualTo(REQUEST);
  }

  @Test
  void aHugeDeclaredStringLengthIsRefused() {
    byte[] bytes = withBody(out -> out.writeLong(HUGE));

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("corrupt AdRequest body")
        .hasMessageContaining("string length " + HUGE + " exceeds");
  }

  @Test
  void aHugeDeclaredCollectionIsRefused() {
    byte[] bytes =
        withBody(
            out -> {
              out.writeString("r-1");
              out.writeLong(7L);
              out.writeLong(1_600_000_000_000L);
              out.writeInt(0);
              out.writeLong(HUGE);
            });

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("collection of " + HUGE + " items exceeds");
  }

  @Test
  void aHugeDeclaredBytesLengthIsRefused() {
    AvroCodec<DeadLetter> deadLetters = AvroCodec.deadLetters();
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic("t")
            .setPartition(0)
            .setOffset(1L)
            .setReason("x")
            .setPayload(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .setRejectedAt(2L)
            .build();
    byte[] valid = deadLetters.encode(letter);
    // The payload's length sits right after the source topic, partition, offset and reason.
    ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(prefix, null);
    try {
      out.writeString("t");
      out.writeInt(0);
      out.writeLong(1L);
      out.writeString("x");
      out.writeLong(HUGE);
      out.flush();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    byte[] bytes = concat(Arrays.copyOf(valid, 10), prefix.toByteArray());

    assertThatThrownBy(() -> deadLetters.decode(bytes))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("bytes length " + HUGE + " exceeds");
  }

  @Test
  void trailingBytesAfterACompleteRecordAreRefused() {
    byte[] bytes = concat(codec.encode(REQUEST), new byte[] {0});

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("1 trailing bytes");
  }

  @Test
  void aShortOrForeignHeaderIsNotSingleObjectEncoded() {
    assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xC3}))
        .hasMessageContaining("not Avro single-object encoded AdRequest");
    assertThatThrownBy(() -> codec.decode("not avro at all".getBytes()))
        .hasMessageContaining("not Avro single-object encoded AdRequest");
  }

  @Test
  void anUnknownFingerprintIsNamed() {
    byte[] bytes = codec.encode(REQUEST);
    bytes[5] ^= 0x55;

    assertThatThrownBy(() -> codec.decode(bytes))
        .hasMessageContaining("unknown writer schema for AdRequest");
  }

  private interface Body {
    void write(BinaryEncoder out) throws IOException;
  }

  /** The current schema's header, then {@code body} as the record's bytes. */
  private byte[] withBody(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(bytes, null);
    try {
      body.write(out);
      out.flush();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return concat(Arrays.copyOf(codec.encode(REQUEST), 10), bytes.toByteArray());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
