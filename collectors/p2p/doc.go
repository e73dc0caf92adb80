// Package p2p collects the P2P lending platform directory: paged list pages linking to one detail
// page per platform (name, registered address, registered capital, online date, 2016 turnover,
// operating status, background), shaped like 网贷之家's 2017 directory.
//
// URL scheme under the base URL: /platforms?page=N lists 20 platforms and links the next page with
// a.next; /platforms/{id} is a platform's page.
package p2p
