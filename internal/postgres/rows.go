package postgres

import "github.com/nephoran/incidentbot/internal/storerow"

// The row codec is the one both stores share (internal/storerow).
const (
	incidentColumns = storerow.IncidentColumns
	eventColumns    = storerow.EventColumns
	effectColumns   = storerow.EffectColumns
	followupColumns = storerow.FollowupColumns
	pageColumns     = storerow.PageColumns
	runColumns      = storerow.RunColumns
)

var (
	formatTime      = storerow.FormatTime
	parseTime       = storerow.ParseTime
	scanEvent       = storerow.ScanEvent
	scanStoredEvent = storerow.ScanStoredEvent
	scanPage        = storerow.ScanPage
	scanRun         = storerow.ScanRun
	scanIncident    = storerow.ScanIncident
	scanFollowup    = storerow.ScanFollowup
	impactJSON      = storerow.ImpactJSON
	commsJSON       = storerow.CommsJSON
	rpoMillis       = storerow.RPOMillis
)
