// Package news owns the news articles of a portal: Article, who it is
// addressed to (Audience), when it shows (PublishAt), and Render, the one
// way an article's Markdown body becomes HTML that is safe to show.
//
// Staff write articles for all customers or for chosen ones; a customer's
// admins write articles for their own customer's people. The package is
// pure: it holds values and rules and does no I/O; the use cases live in
// package portal.
package news
