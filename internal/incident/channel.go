package incident

import (
	"fmt"
	"strings"
)

// MaxChannelName is Slack's limit on channel names.
const MaxChannelName = 80

// ChannelName returns the channel name for inc: <prefix>-<number>-<slug>, lowercase letters,
// digits and hyphens only, at most MaxChannelName characters. attempt 0 is the plain name;
// attempt n > 0 appends "-<n+1>" for when the plain one is taken. Private incidents keep
// their title out of the name.
func ChannelName(prefix string, inc *Incident, attempt int) string {
	base := fmt.Sprintf("%s-%d", prefix, inc.Number)
	suffix := ""
	if attempt > 0 {
		suffix = fmt.Sprintf("-%d", attempt+1)
	}
	slug := "private"
	if !inc.Private {
		slug = Slug(inc.Title)
	}
	if inc.Drill && slug != "drill" && !strings.HasPrefix(slug, "drill-") {
		slug = strings.TrimSuffix("drill-"+slug, "-")
	}
	room := MaxChannelName - len(base) - len(suffix) - 1
	if len(slug) > room {
		slug = strings.TrimRight(slug[:room], "-")
	}
	if slug == "" {
		return base + suffix
	}
	return base + "-" + slug + suffix
}

// Slug turns text into lowercase ASCII letters and digits separated by single hyphens.
func Slug(text string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
		default:
			hyphen = true
		}
	}
	return b.String()
}
