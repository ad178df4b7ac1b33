package io.tinstream.schemas;

/**
 * A record value that cannot be turned into its Avro type; the message is the dead-letter reason.
 */
public final class RecordDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  public RecordDecodeException(String reason) {
    super(reason);
  }
}
