package main

import (
	"github.com/fhi-index/fhi/pipelines"
)

// writeLake opens the lake for a command that writes it, taking the writer's lock. Stage runs
// also send their OpenLineage events to lineage.url when the config file sets one.
func (a *app) writeLake() (*pipelines.Lake, error) {
	lake, err := pipelines.OpenLake(a.lakePath)
	if err != nil || a.configPath == "" {
		return lake, err
	}
	c, err := loadConfig(a.configPath)
	if err == nil && c.Lineage.URL != "" {
		err = lake.SendLineageTo(c.Lineage.URL)
	}
	if err != nil {
		lake.Close()
		return nil, err
	}
	return lake, nil
}

// readLake opens the lake for a command that only reads it.
func (a *app) readLake() (*pipelines.Lake, error) { return pipelines.OpenLake(a.lakePath) }
