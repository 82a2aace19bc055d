package views

import (
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
)

// DeclareCallbackID identifies submissions of the declaration modal.
const DeclareCallbackID = "declare"

// Block and action IDs of the declaration modal's inputs.
const (
	DeclareTitle       = "title"
	DeclareSeverity    = "severity"
	DeclareService     = "service"
	DeclareDescription = "description"
	DeclarePrivate     = "private"
)

// DeclareModal renders the declaration form. originChannel travels in private_metadata.
func DeclareModal(catalog incident.Catalog, originChannel string) slack.ModalViewRequest {
	title := slack.NewPlainTextInputBlockElement(plain("What is broken, in a few words"), DeclareTitle)
	title.MaxLength = incident.MaxTitleLen

	var sevOpts []*slack.OptionBlockObject
	for _, s := range incident.Severities {
		sevOpts = append(sevOpts, slack.NewOptionBlockObject(string(s), plain(string(s)+": "+s.Description()), nil))
	}
	severity := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Severity"), DeclareSeverity, sevOpts...)
	for _, o := range sevOpts {
		if o.Value == string(commands.DefaultSeverity) {
			severity.InitialOption = o
		}
	}

	description := slack.NewPlainTextInputBlockElement(plain("What do you see? Who is affected?"), DeclareDescription)
	description.Multiline = true
	description.MaxLength = incident.MaxTextLen

	private := slack.NewCheckboxGroupsBlockElement(DeclarePrivate,
		slack.NewOptionBlockObject("private", plain("Private incident"), plain("A private channel; not announced")))

	blocks := []slack.Block{
		slack.NewInputBlock(DeclareTitle, plain("Title"), nil, title),
		slack.NewInputBlock(DeclareSeverity, plain("Severity"), nil, severity),
	}
	if names := catalog.Names(); len(names) > 0 {
		var opts []*slack.OptionBlockObject
		for _, n := range names[:min(len(names), 100)] { // a static select holds 100 options
			opts = append(opts, slack.NewOptionBlockObject(n, plain(n), nil))
		}
		in := slack.NewInputBlock(DeclareService, plain("Service"), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Affected service"), DeclareService, opts...))
		in.Optional = true
		blocks = append(blocks, in)
	}
	desc := slack.NewInputBlock(DeclareDescription, plain("Description"), nil, description)
	desc.Optional = true
	priv := slack.NewInputBlock(DeclarePrivate, plain("Visibility"), nil, private)
	priv.Optional = true
	blocks = append(blocks, desc, priv)

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      DeclareCallbackID,
		Title:           plain("Declare an incident"),
		Submit:          plain("Declare"),
		Close:           plain("Cancel"),
		PrivateMetadata: originChannel,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// DeclareInput is what a submitted declaration form says.
type DeclareInput struct {
	Title, Severity, Service, Description string
	Private                               bool
}

// ReadDeclareModal extracts the form's values from a view submission's state.
func ReadDeclareModal(state *slack.ViewState) DeclareInput {
	var in DeclareInput
	if state == nil {
		return in
	}
	get := func(id string) slack.BlockAction { return state.Values[id][id] }
	in.Title = get(DeclareTitle).Value
	in.Severity = get(DeclareSeverity).SelectedOption.Value
	in.Service = get(DeclareService).SelectedOption.Value
	in.Description = get(DeclareDescription).Value
	in.Private = len(get(DeclarePrivate).SelectedOptions) > 0
	return in
}
