-- The seed's eight questions (milestone 7) on the cleaned tables the JDBC sink fills
-- (connectors/pinterest-jdbc-sink.properties): pinterest_pin, pinterest_geo, pinterest_user,
-- joined on ind. One file for MariaDB/MySQL and PostgreSQL: standard SQL with window
-- functions (MariaDB >= 10.2, MySQL >= 8, PostgreSQL >= 11).
--
-- Semantics, as the seed's notebooks compute them with Spark:
--  * "most popular" keeps ties: rank() over the counts, every rank 1 row;
--  * age groups: 18-24, 25-35, 36-50, +50 (by the user's age);
--  * years come from the cleaned ISO-8601 text (2020-08-28T03:52:47Z): its first four
--    characters; 2018-2022 for posts, 2015-2020 for joining;
--  * the median is Spark's percentile_approx(follower_count, 0.5): the lower median, the
--    value at position ceil(n/2) of the sorted counts (never an average of two);
--  * rows without a follower count (the source's "User Info Error") are left out of the
--    follower questions.
-- Each statement ends with a semicolon; tests/e2e splits on them. The first one (re)creates
-- a view, pinterest_user_groups, so that age groups and joining years are spelled once.

-- 0. Every user row with its age group and joining year.
CREATE OR REPLACE VIEW pinterest_user_groups AS
SELECT ind, age, SUBSTR(date_joined, 1, 4) AS join_year,
       CASE WHEN age BETWEEN 18 AND 24 THEN '18-24'
            WHEN age BETWEEN 25 AND 35 THEN '25-35'
            WHEN age BETWEEN 36 AND 50 THEN '36-50'
            WHEN age > 50 THEN '+50' END AS age_group
FROM pinterest_user;

-- 1. The most popular category in each country.
SELECT country, category, category_count
FROM (SELECT g.country, p.category, COUNT(*) AS category_count,
             RANK() OVER (PARTITION BY g.country ORDER BY COUNT(*) DESC) AS rk
      FROM pinterest_pin p JOIN pinterest_geo g ON g.ind = p.ind
      GROUP BY g.country, p.category) ranked
WHERE rk = 1
ORDER BY country, category;

-- 2. The most popular category in each year, 2018 to 2022.
SELECT post_year, category, category_count
FROM (SELECT SUBSTR(g.timestamp, 1, 4) AS post_year, p.category, COUNT(*) AS category_count,
             RANK() OVER (PARTITION BY SUBSTR(g.timestamp, 1, 4) ORDER BY COUNT(*) DESC) AS rk
      FROM pinterest_pin p JOIN pinterest_geo g ON g.ind = p.ind
      WHERE SUBSTR(g.timestamp, 1, 4) BETWEEN '2018' AND '2022'
      GROUP BY SUBSTR(g.timestamp, 1, 4), p.category) ranked
WHERE rk = 1
ORDER BY post_year, category;

-- 3. The user with the most followers in each country.
SELECT DISTINCT country, poster_name, follower_count
FROM (SELECT g.country, p.poster_name, p.follower_count,
             RANK() OVER (PARTITION BY g.country ORDER BY p.follower_count DESC) AS rk
      FROM pinterest_pin p JOIN pinterest_geo g ON g.ind = p.ind
      WHERE p.follower_count IS NOT NULL) ranked
WHERE rk = 1
ORDER BY country, poster_name;

-- 4. The most popular category for each age group.
SELECT age_group, category, category_count
FROM (SELECT a.age_group, p.category, COUNT(*) AS category_count,
             RANK() OVER (PARTITION BY a.age_group ORDER BY COUNT(*) DESC) AS rk
      FROM pinterest_pin p JOIN pinterest_user_groups a ON a.ind = p.ind
      WHERE a.age_group IS NOT NULL
      GROUP BY a.age_group, p.category) ranked
WHERE rk = 1
ORDER BY age_group, category;

-- 5. The median follower count for each age group.
SELECT age_group, follower_count AS median_follower_count
FROM (SELECT a.age_group, p.follower_count,
             ROW_NUMBER() OVER (PARTITION BY a.age_group ORDER BY p.follower_count) AS rn,
             COUNT(*) OVER (PARTITION BY a.age_group) AS n
      FROM pinterest_pin p JOIN pinterest_user_groups a ON a.ind = p.ind
      WHERE a.age_group IS NOT NULL AND p.follower_count IS NOT NULL) ordered
WHERE 2 * rn BETWEEN n AND n + 1
ORDER BY age_group;

-- 6. How many users joined each year, 2015 to 2020.
SELECT join_year, COUNT(*) AS number_users_joined
FROM pinterest_user_groups
WHERE join_year BETWEEN '2015' AND '2020'
GROUP BY join_year
ORDER BY join_year;

-- 7. The median follower count of users by the year they joined, 2015 to 2020.
SELECT join_year, follower_count AS median_follower_count
FROM (SELECT a.join_year, p.follower_count,
             ROW_NUMBER() OVER (PARTITION BY a.join_year ORDER BY p.follower_count) AS rn,
             COUNT(*) OVER (PARTITION BY a.join_year) AS n
      FROM pinterest_pin p JOIN pinterest_user_groups a ON a.ind = p.ind
      WHERE p.follower_count IS NOT NULL AND a.join_year BETWEEN '2015' AND '2020') ordered
WHERE 2 * rn BETWEEN n AND n + 1
ORDER BY join_year;

-- 8. The median follower count by joining year and age group, 2015 to 2020.
SELECT age_group, join_year, follower_count AS median_follower_count
FROM (SELECT a.age_group, a.join_year, p.follower_count,
             ROW_NUMBER() OVER (PARTITION BY a.age_group, a.join_year
                                ORDER BY p.follower_count) AS rn,
             COUNT(*) OVER (PARTITION BY a.age_group, a.join_year) AS n
      FROM pinterest_pin p JOIN pinterest_user_groups a ON a.ind = p.ind
      WHERE a.age_group IS NOT NULL AND p.follower_count IS NOT NULL
        AND a.join_year BETWEEN '2015' AND '2020') ordered
WHERE 2 * rn BETWEEN n AND n + 1
ORDER BY age_group, join_year;
