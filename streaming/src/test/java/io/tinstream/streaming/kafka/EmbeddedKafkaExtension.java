package io.tinstream.streaming.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One in-process broker for a test class: started before its first test, closed after its last. */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedKafka kafka;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
  }

  /** The running broker. */
  public EmbeddedKafka broker() {
    if (kafka == null) {
      throw new IllegalStateException("The broker runs only between beforeAll and afterAll");
    }
    return kafka;
  }
}
