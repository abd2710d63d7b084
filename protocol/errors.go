package protocol

import "fmt"

// Error is a Kafka error code. The package-level Err values (ErrNotCoordinator,
// ErrRebalanceInProgress, ...) are the codes Kafka defines; ErrorForCode maps a
// code from a response to one of them. Errors compare by code, so
// errors.Is(err, protocol.ErrNotCoordinator) holds for any error wrapping an
// Error with code 16, whatever its Message.
type Error struct {
	Code      int16
	Name      string // Kafka's name, e.g. "NOT_COORDINATOR"
	Retriable bool   // whether the Java client treats it as retriable
	Message   string // an error message the broker sent with the code, if any
}

// Error describes the Error.
func (e *Error) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("kafka: %s (%d): %s", e.Name, e.Code, e.Message)
	}
	return fmt.Sprintf("kafka: %s (%d)", e.Name, e.Code)
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrorForCode returns nil for code 0 (NONE), the Error for a known code, and
// a new non-retriable Error named UNKNOWN_CODE_n for any other.
func ErrorForCode(code int16) error {
	if code == 0 {
		return nil
	}
	if e, ok := errorsByCode[code]; ok {
		return e
	}
	return &Error{Code: code, Name: fmt.Sprintf("UNKNOWN_CODE_%d", code)}
}

// ErrorWithMessage is ErrorForCode with the broker's error message attached
// when it sent one (msg may be nil).
func ErrorWithMessage(code int16, msg *string) error {
	err := ErrorForCode(code)
	if err == nil || msg == nil || *msg == "" {
		return err
	}
	e := *err.(*Error)
	e.Message = *msg
	return &e
}
