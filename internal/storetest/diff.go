package storetest

import (
	"fmt"
	"reflect"
	"sort"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// Diff returns the differences between want and got, one line per field path, such as
// "Incident.Comms[team]: got 2026-03-04T05:11:07.891Z, want ...". Times are equal when they
// are the same instant (whatever their location); a nil map or slice equals an empty one,
// which the domain never tells apart. Unexported fields are ignored.
func Diff(want, got any) []string {
	var out []string
	w, g := reflect.ValueOf(want), reflect.ValueOf(got)
	name := "value"
	if w.IsValid() {
		name = typeName(w.Type())
	}
	diff(name, w, g, &out)
	return out
}

func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

func diff(path string, w, g reflect.Value, out *[]string) {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(g), show(w)))
		}
		return
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: got a %s (%s), want a %s (%s)", path, g.Type(), show(g), w.Type(), show(w)))
		return
	}
	if w.Type() == timeType {
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !wt.Equal(gt) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, showTime(gt), showTime(wt)))
		}
		return
	}
	switch w.Kind() {
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(g), show(w)))
			}
			return
		}
		diff(path, w.Elem(), g.Elem(), out)
	case reflect.Struct:
		for i := 0; i < w.NumField(); i++ {
			if f := w.Type().Field(i); f.IsExported() {
				diff(path+"."+f.Name, w.Field(i), g.Field(i), out)
			}
		}
	case reflect.Slice, reflect.Array:
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: got %d elements %s, want %d %s", path, g.Len(), show(g), w.Len(), show(w)))
			return
		}
		for i := 0; i < w.Len(); i++ {
			diff(fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), out)
		}
	case reflect.Map:
		keys := map[string]reflect.Value{}
		for _, k := range append(w.MapKeys(), g.MapKeys()...) {
			keys[fmt.Sprint(k.Interface())] = k
		}
		names := make([]string, 0, len(keys))
		for n := range keys {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			k := keys[n]
			wv, gv := w.MapIndex(k), g.MapIndex(k)
			p := fmt.Sprintf("%s[%s]", path, n)
			switch {
			case !gv.IsValid():
				*out = append(*out, fmt.Sprintf("%s: missing, want %s", p, show(wv)))
			case !wv.IsValid():
				*out = append(*out, fmt.Sprintf("%s: got %s, want no such key", p, show(gv)))
			default:
				diff(p, wv, gv, out)
			}
		}
	default:
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(g), show(w)))
		}
	}
}

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "nothing"
	}
	if v.Type() == timeType {
		return showTime(v.Interface().(time.Time))
	}
	if v.CanInterface() {
		return fmt.Sprintf("%#v", v.Interface())
	}
	return v.String()
}

func showTime(t time.Time) string {
	if t.IsZero() {
		return "the zero time"
	}
	return t.Format("2006-01-02T15:04:05.000000000Z07:00 (MST)")
}

// NonUTC returns the paths of the non-zero times in v whose location is not time.UTC (a
// backend converts what its driver returns with Time.UTC).
func NonUTC(v any) []string {
	var out []string
	rv := reflect.ValueOf(v)
	if rv.IsValid() {
		nonUTC(typeName(rv.Type()), rv, &out)
	}
	return out
}

func nonUTC(path string, v reflect.Value, out *[]string) {
	if v.Type() == timeType {
		if t := v.Interface().(time.Time); !t.IsZero() && t.Location() != time.UTC {
			*out = append(*out, fmt.Sprintf("%s (%s)", path, showTime(t)))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			nonUTC(path, v.Elem(), out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				nonUTC(path+"."+f.Name, v.Field(i), out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			nonUTC(fmt.Sprintf("%s[%d]", path, i), v.Index(i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			nonUTC(fmt.Sprintf("%s[%v]", path, k.Interface()), v.MapIndex(k), out)
		}
	}
}
