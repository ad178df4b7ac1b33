package io.tinstream.state.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Murmur3Test {

  @Test
  void matchesReferenceVectors() {
    assertThat(Murmur3.hash32(new byte[0], 0)).isZero();
    assertThat(Murmur3.hash32(new byte[0], 1)).isEqualTo(0x514E28B7);
    assertThat(Murmur3.hash32(new byte[0], 0xffffffff)).isEqualTo(0x81F16F39);
    assertThat(Murmur3.hash32(new byte[] {0, 0, 0, 0}, 0)).isEqualTo(0x2362F9DE);
    assertThat(Murmur3.hash32(new byte[] {0x21, 0x43, 0x65}, 0)).isEqualTo(0x7E4A8634);
    assertThat(
            Murmur3.hash32(
                "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0))
        .isEqualTo(0x2E4FF723);
  }
}
