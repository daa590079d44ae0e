// @ts-check
// An account's daily usage chart: its requests per UTC day over the report's window, one bar a day, drawn as SVG by
// this module (no chart library). The chart is an image with a title and a description that lists every day's
// number, and the same numbers are in a table under "Show the numbers", for whoever prefers them to bars.
import { element } from "./dom.js"

/**
 * @typedef {import("./types.js").Account} Account
 * @typedef {import("./types.js").AccountUsage} AccountUsage
 */

const SVG = "http://www.w3.org/2000/svg"
const DAY = 86_400_000

// The drawing's own units: the chart scales to the width the page gives it.
const width = 800
const height = 160
const margin = { left: 44, right: 8, top: 14, bottom: 24 }
const plotWidth = width - margin.left - margin.right
const plotHeight = height - margin.top - margin.bottom
const baseline = margin.top + plotHeight

const shortDay = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" })
const longDay = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeZone: "UTC" })
/** @param {string} day `YYYY-MM-DD` */
const dateOf = (day) => new Date(`${day}T00:00:00Z`)

/** @param {number} count */
const requests = (count) => `${count} request${count === 1 ? "" : "s"}`

/**
 * The window's days (`YYYY-MM-DD`, UTC), oldest first: `count` days from `since`.
 *
 * @param {string} since
 * @param {number} count
 */
export const windowDays = (since, count) => {
  const start = dateOf(since).getTime()
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10))
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {string} [text]
 */
const svg = (tag, attributes, text) => {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
  if (text !== undefined) node.textContent = text
  return node
}

/**
 * The numbers as a table.
 *
 * @param {string} name the account's
 * @param {ReadonlyArray<{ day: string, requests: number }>} series
 */
const numbers = (name, series) => {
  const details = document.createElement("details")
  details.append(element("summary", "Show the numbers"))
  const table = document.createElement("table")
  table.append(element("caption", `Requests per day of ${name}`, "visually-hidden"))
  const head = document.createElement("tr")
  head.append(element("th", "Day"), element("th", "Requests"))
  const thead = document.createElement("thead")
  thead.append(head)
  const tbody = document.createElement("tbody")
  for (const { day, requests } of series) {
    const row = document.createElement("tr")
    const when = element("time", longDay.format(dateOf(day)))
    when.setAttribute("datetime", day)
    const cell = document.createElement("td")
    cell.append(when)
    row.append(cell, element("td", String(requests), "number"))
    tbody.append(row)
  }
  table.append(thead, tbody)
  details.append(table)
  return details
}

/**
 * The chart of one account: a figure with a caption, the SVG, and the numbers.
 *
 * @param {Account} account
 * @param {AccountUsage | undefined} usage the account's in the report (none for an account the report missed)
 * @param {string} since the window's first day
 * @param {number} days how many days the window has (the last is today)
 */
export const usageChart = (account, usage, since, days) => {
  const counts = new Map((usage?.days ?? []).map((day) => [day.day, day.requests]))
  const series = windowDays(since, days).map((day) => ({ day, requests: counts.get(day) ?? 0 }))
  const total = series.reduce((sum, day) => sum + day.requests, 0)
  const most = Math.max(0, ...series.map((day) => day.requests))
  const id = `usage-${account.serviceAccountId}`

  const figure = document.createElement("figure")
  figure.className = "usage"
  figure.append(
    element(
      "figcaption",
      total === 0
        ? `No requests in the last ${days} days`
        : `Requests per day, last ${days} days: ${requests(total)} in total`
    )
  )

  const chart = svg("svg", {
    class: "usage-chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-labelledby": `${id}-title`,
    "aria-describedby": `${id}-desc`
  })
  chart.append(
    svg("title", { id: `${id}-title` }, `Requests per day of ${account.name}, last ${days} days`),
    svg(
      "desc",
      { id: `${id}-desc` },
      `${requests(total)} in total. ${series.map((day) => `${day.day}: ${day.requests}`).join("; ")}.`
    )
  )

  // The scale: the baseline is 0, the top line the busiest day.
  if (most > 0) {
    chart.append(
      svg("line", { class: "grid", x1: margin.left, x2: width - margin.right, y1: margin.top, y2: margin.top }),
      svg("text", { class: "tick", x: margin.left - 6, y: margin.top + 4, "text-anchor": "end" }, String(most))
    )
  }
  chart.append(
    svg("line", { class: "axis", x1: margin.left, x2: width - margin.right, y1: baseline, y2: baseline }),
    svg("text", { class: "tick", x: margin.left - 6, y: baseline + 4, "text-anchor": "end" }, "0")
  )

  // One bar a day, its height in proportion to the day's requests.
  const slot = plotWidth / series.length
  const barWidth = slot * 0.7
  const bars = svg("g", { class: "bars" })
  series.forEach(({ day, requests: count }, i) => {
    const barHeight = most === 0 ? 0 : (count / most) * plotHeight
    const bar = svg("rect", {
      class: "bar",
      x: margin.left + i * slot + (slot - barWidth) / 2,
      y: baseline - barHeight,
      width: barWidth,
      height: barHeight,
      "data-day": day,
      "data-requests": count
    })
    bar.append(svg("title", {}, `${longDay.format(dateOf(day))}: ${requests(count)}`))
    bars.append(bar)
  })
  chart.append(bars)

  // The first and the last day under the bars.
  const first = series[0]
  const last = series[series.length - 1]
  if (first !== undefined && last !== undefined) {
    const labelY = baseline + 16
    chart.append(
      svg("text", { class: "tick", x: margin.left, y: labelY }, shortDay.format(dateOf(first.day))),
      svg(
        "text",
        { class: "tick", x: width - margin.right, y: labelY, "text-anchor": "end" },
        shortDay.format(dateOf(last.day))
      )
    )
  }

  figure.append(chart, numbers(account.name, series))
  return figure
}
