package main

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/rawkafka/rawkafka"
)

// formatter renders records the way kcat does: a -f format string, JSON
// lines (-J), or the value alone, optionally after the key and a -K delimiter.
type formatter struct {
	tokens    []token // from -f; nil means the default layout
	json      bool
	keyDelim  string // -K: print the key and this before the value
	msgDelim  string // -D: after each record (default "\n")
	printKeys bool
}

// token is a literal run of a format string, or a %-verb.
type token struct {
	verb    byte // 0 for a literal
	literal string
}

// parseFormat parses a kcat format string: %t %p %o %k %K %s %S %R %T %h and
// %%, and the escapes \n \r \t \\ and \xNN.
func parseFormat(f string) ([]token, error) {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '%':
			if i+1 >= len(f) {
				return nil, fmt.Errorf("-f %q: ends with a lone %%", f)
			}
			i++
			switch v := f[i]; v {
			case '%':
				lit.WriteByte('%')
			case 't', 'p', 'o', 'k', 'K', 's', 'S', 'R', 'T', 'h':
				flush()
				toks = append(toks, token{verb: v})
			default:
				return nil, fmt.Errorf("-f %q: unknown token %%%c", f, v)
			}
		case c == '\\' && i+1 < len(f):
			s, n, err := unescape(f[i:])
			if err != nil {
				return nil, fmt.Errorf("-f %q: %v", f, err)
			}
			lit.WriteString(s)
			i += n - 1
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return toks, nil
}

// unescape decodes one backslash escape at the start of s and returns it and
// how many bytes of s it took.
func unescape(s string) (string, int, error) {
	switch s[1] {
	case 'n':
		return "\n", 2, nil
	case 'r':
		return "\r", 2, nil
	case 't':
		return "\t", 2, nil
	case '\\':
		return "\\", 2, nil
	case 'x':
		end := 2
		for end < len(s) && end < 4 && strings.ContainsRune("0123456789abcdefABCDEF", rune(s[end])) {
			end++
		}
		if end == 2 {
			return "", 0, fmt.Errorf("\\x needs hex digits")
		}
		v, _ := strconv.ParseUint(s[2:end], 16, 8)
		return string([]byte{byte(v)}), end, nil
	}
	return s[:2], 2, nil
}

// parseDelim parses a -K or -D delimiter: a string with the same escapes.
func parseDelim(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			u, n, err := unescape(s[i:])
			if err != nil {
				return "", err
			}
			b.WriteString(u)
			i += n - 1
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// append renders r after dst.
func (f *formatter) append(dst []byte, r *rawkafka.Record) []byte {
	switch {
	case f.json:
		return append(appendJSON(dst, r), '\n')
	case f.tokens != nil:
		for _, t := range f.tokens {
			dst = appendToken(dst, t, r)
		}
		return dst
	}
	if f.printKeys {
		dst = append(dst, r.Key...)
		dst = append(dst, f.keyDelim...)
	}
	dst = append(dst, r.Value...)
	return append(dst, f.msgDelim...)
}

func appendToken(dst []byte, t token, r *rawkafka.Record) []byte {
	switch t.verb {
	case 0:
		return append(dst, t.literal...)
	case 't':
		return append(dst, r.Topic...)
	case 'p':
		return strconv.AppendInt(dst, int64(r.Partition), 10)
	case 'o':
		return strconv.AppendInt(dst, r.Offset, 10)
	case 'k':
		return append(dst, r.Key...)
	case 'K':
		return strconv.AppendInt(dst, nullableLen(r.Key), 10)
	case 's':
		return append(dst, r.Value...)
	case 'S':
		return strconv.AppendInt(dst, nullableLen(r.Value), 10)
	case 'R':
		return binary.BigEndian.AppendUint32(dst, uint32(int32(nullableLen(r.Value))))
	case 'T':
		return strconv.AppendInt(dst, r.Timestamp.UnixMilli(), 10)
	case 'h':
		for i, h := range r.Headers {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, h.Key...)
			dst = append(dst, '=')
			dst = append(dst, h.Value...)
		}
		return dst
	}
	return dst
}

func nullableLen(b []byte) int64 {
	if b == nil {
		return -1
	}
	return int64(len(b))
}

// appendJSON renders r as kcat -J does: topic, partition, offset, tstype, ts,
// broker (-1: rawkafka does not say which broker served a record), headers
// (as a flat [key, value, ...] list, only when there are any), key, payload.
func appendJSON(dst []byte, r *rawkafka.Record) []byte {
	dst = append(dst, `{"topic":`...)
	dst = appendJSONString(dst, []byte(r.Topic))
	dst = append(dst, `,"partition":`...)
	dst = strconv.AppendInt(dst, int64(r.Partition), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, r.Offset, 10)
	if r.LogAppendTime {
		dst = append(dst, `,"tstype":"logappend","ts":`...)
	} else {
		dst = append(dst, `,"tstype":"create","ts":`...)
	}
	dst = strconv.AppendInt(dst, r.Timestamp.UnixMilli(), 10)
	dst = append(dst, `,"broker":-1`...)
	if len(r.Headers) > 0 {
		dst = append(dst, `,"headers":[`...)
		for i, h := range r.Headers {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, h.Key)
			dst = append(dst, ',')
			dst = appendJSONString(dst, h.Value)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"key":`...)
	dst = appendJSONString(dst, r.Key)
	dst = append(dst, `,"payload":`...)
	dst = appendJSONString(dst, r.Value)
	return append(dst, '}')
}

// appendJSONString appends b as a JSON string, or null for nil. Like kcat it
// passes bytes that are not valid UTF-8 through unchanged rather than replace
// them, so binary keys and values keep every byte, and escapes control
// characters the way kcat does.
func appendJSONString(dst, b []byte) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	const hex = "0123456789ABCDEF" // kcat's JSON writer (yajl) uses upper case
	dst = append(dst, '"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
